#include "serve_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace unspin::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A connection's socket as httplib reads and writes it, each direction
// against a deadline of its own: reads must be done `limit` after the stream
// is made, writes `limit` after the first write that follows the last read
// (an answer to "Expect: 100-continue" comes before the body, and the check
// before the answer proper). Reads are buffered (httplib reads the request
// head a byte at a time).
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int socket, std::chrono::milliseconds limit)
      : socket_(socket), limit_(limit), read_deadline_(Clock::now() + limit) {}

  bool is_readable() const override { return buffered_ < filled_ || Wait(POLLIN, read_deadline_); }
  bool is_writable() const override { return Wait(POLLOUT, WriteDeadline()); }

  ssize_t read(char* bytes, size_t size) override {
    if (buffered_ == filled_) {
      if (!Wait(POLLIN, read_deadline_)) return -1;
      ssize_t got;
      do {
        got = ::recv(socket_, buffer_, sizeof buffer_, 0);
      } while (got < 0 && errno == EINTR);
      if (got <= 0) return got;
      write_deadline_.reset();  // what was written was an interim answer (100 Continue)
      buffered_ = 0;
      filled_ = static_cast<size_t>(got);
    }
    const size_t taken = std::min(size, filled_ - buffered_);
    std::memcpy(bytes, buffer_ + buffered_, taken);
    buffered_ += taken;
    return static_cast<ssize_t>(taken);
  }

  ssize_t write(const char* bytes, size_t size) override {
    if (!write_deadline_) write_deadline_ = Clock::now() + limit_;
    if (!Wait(POLLOUT, *write_deadline_)) return -1;
    ssize_t sent;
    do {
      sent = ::send(socket_, bytes, size, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return socket_; }

 private:
  Clock::time_point WriteDeadline() const {
    return write_deadline_ ? *write_deadline_ : Clock::now() + limit_;
  }

  // Whether the socket is ready for `events` before `deadline`.
  bool Wait(short events, Clock::time_point deadline) const {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd ready{socket_, events, 0};
      const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
      if (polled > 0) return true;
      if (polled == 0 || errno != EINTR) return false;
    }
  }

  void Address(int (*name)(int, sockaddr*, socklen_t*), std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    char text[INET6_ADDRSTRLEN] = "";
    port = -1;
    if (name(socket_, reinterpret_cast<sockaddr*>(&address), &size) != 0) return;
    if (address.ss_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
      ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
      port = ntohs(v4->sin_port);
    } else if (address.ss_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
      ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
      port = ntohs(v6->sin6_port);
    }
    ip = text;
  }

  int socket_;
  std::chrono::milliseconds limit_;
  Clock::time_point read_deadline_;
  std::optional<Clock::time_point> write_deadline_;
  char buffer_[4096];
  size_t buffered_ = 0;  // read from the buffer so far
  size_t filled_ = 0;    // bytes in the buffer
};

}  // namespace

bool TimedServer::process_and_close_socket(socket_t socket) {
  bool served = false;
  {
    DeadlineStream stream(socket, limit_);
    bool connection_closed = false;
    served = process_request(stream, /*close_connection=*/true, connection_closed, nullptr);
  }
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
  return served;
}

}  // namespace unspin::cli
