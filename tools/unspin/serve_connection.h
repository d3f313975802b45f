// The connections of `unspin serve`: one request each, with a deadline for
// sending it and another for reading the answer.
//
//   TimedServer server(std::chrono::seconds(30));
//   server.Post("/v1/check", ...);          // an httplib::Server in every other way
//   server.listen("127.0.0.1", 8080);
//
// httplib's own read and write timeouts apply to each read and write: a
// client that sends one byte just before each one expires holds its thread for
// as long as it likes, and a few such clients starve the server. Here a
// client gets `limit` from the moment a thread takes its connection to send
// the whole request (head and body), and `limit` from the first byte of the
// answer (an interim "100 Continue" aside) to read all of it. The work
// between has a limit of its own (serve --check-timeout, serve_api.h).
#ifndef UNSPIN_TOOLS_UNSPIN_SERVE_CONNECTION_H_
#define UNSPIN_TOOLS_UNSPIN_SERVE_CONNECTION_H_

#include <httplib.h>

#include <chrono>

namespace unspin::cli {

class TimedServer : public httplib::Server {
 public:
  explicit TimedServer(std::chrono::milliseconds limit) : limit_(limit) {}

 private:
  // Serves the one request of `socket` and closes it, even after stop()
  // (httplib's own serving drops a queued connection once the listening
  // socket is closed; SIGTERM answers every connection accepted). One
  // request per connection: a kept-alive connection would hold its thread while it idles
  // and be served again ahead of the connections waiting in the queue (64
  // clients on 2 threads then saw a p99 of 18 s, bench/serve_load.sh); a new
  // loopback connection costs far less than a check.
  bool process_and_close_socket(socket_t socket) override;

  std::chrono::milliseconds limit_;
};

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_SERVE_CONNECTION_H_
