// unspin serve: the JSON API of serve_api.h over HTTP/1.1 (cpp-httplib).
//
// An adapter only: routes, limits and shutdown live here; what a request
// means lives in serve::Api. On SIGINT or SIGTERM the server closes its
// listening socket at once and exits when every connection it accepted, in
// flight or queued for a thread, has been answered: httplib's pool runs the
// queued ones before it stops, and TimedServer serves a connection whatever
// became of the listening socket (httplib's own serving drops it then).
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string_view>
#include <thread>

#include "check_view.h"
#include "cli.h"
#include "serve_api.h"
#include "serve_connection.h"

namespace unspin::cli {

// Embedded at build time (cmake/embed.cmake), as is kWebPage (check_view.h).
extern const std::string_view kOpenApiJson;

namespace {

constexpr char kJson[] = "application/json";

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string index;
  std::string model;
  size_t threads = std::max(2u, std::thread::hardware_concurrency());
  size_t max_body_bytes = size_t{16} << 20;
  int timeout_seconds = 30;
  int check_timeout_seconds = 60;
  bool quiet = false;
  pipeline::CheckOptions options;
};

void Send(const serve::ApiResponse& response, httplib::Response& res) {
  res.status = response.http_status;
  res.set_content(response.body, kJson);
}

// A POST route answered from its body. The route reads the body itself:
// httplib's own reading parses an application/x-www-form-urlencoded body (the
// type `curl -d` sends) as a form and refuses one over 8 KiB with 413,
// whatever --max-body says. --max-body still applies (httplib sets 413).
void PostRoute(httplib::Server& server, const std::string& path,
               std::function<serve::ApiResponse(const std::string& body)> answer) {
  server.Post(
      path, [answer = std::move(answer)](const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& read_body) {
        if (req.is_multipart_form_data()) {
          Send(serve::ErrorResponse(400, "invalid_json", "the body is a multipart form, not JSON"),
               res);
          return;
        }
        std::string body;
        const bool read = read_body([&body](const char* bytes, size_t size) {
          body.append(bytes, size);
          return true;
        });
        if (read) Send(answer(body), res);
      });
}

// The routes and the methods they answer, for 405 and its Allow header. A
// path ending in '/' stands for every path below it.
constexpr std::pair<std::string_view, std::string_view> kRoutes[] = {
    {"/", "GET"},
    {"/healthz", "GET"},
    {"/v1/model", "GET"},
    {"/v1/openapi.json", "GET"},
    {"/v1/check", "POST"},
    {"/v1/restore", "POST"},
    {"/v1/find", "POST"},
    {"/v1/documents", "POST"},
    {"/v1/documents/", "GET"},
};

bool RouteMatches(std::string_view route, std::string_view path) {
  if (route.size() > 1 && route.back() == '/') {
    return path.size() > route.size() && path.substr(0, route.size()) == route;
  }
  return path == route;
}

// Every error httplib answers by itself (no route, a body over the limit, a
// malformed request) gets the API's JSON error body; answers the handlers
// wrote already have one.
httplib::Server::HandlerResponse JsonError(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  serve::ApiResponse error;
  if (res.status == 404) {
    error = serve::ErrorResponse(404, "not_found", "no such path: " + req.path);
    for (const auto& [route, method] : kRoutes) {
      if (RouteMatches(route, req.path)) {
        error = serve::ErrorResponse(
            405, "method_not_allowed",
            req.path + " takes " + std::string(method) + ", not " + req.method);
        res.set_header("Allow", std::string(method));
      }
    }
  } else if (res.status == 413) {
    error = serve::ErrorResponse(413, "payload_too_large",
                                 "the body is over the server's limit (unspin serve --max-body)");
  } else if (res.status == 400) {
    error = serve::ErrorResponse(400, "bad_request",
                                 "a malformed HTTP request, or a method no route takes");
  } else {
    error =
        serve::ErrorResponse(res.status, "http_error", "HTTP status " + std::to_string(res.status));
  }
  Send(error, res);
  return httplib::Server::HandlerResponse::Handled;
}

int RunServe(const ServeFlags& flags) {
  // The model and, with --index, the index (which loads its model too).
  LoadedIndex loaded;
  int exit_code = kExitOk;
  if (!flags.index.empty()) {
    if (int code = LoadIndex(flags.model, flags.index, &loaded); code != kExitOk) return code;
  } else {
    loaded.model = LoadModel(flags.model, &exit_code);
    if (!loaded.model) return exit_code;
  }
  serve::Api api(*loaded.model, {flags.index, loaded.classes.get(), std::move(loaded.index)},
                 ModelPath(flags.model), flags.options,
                 std::chrono::seconds(flags.check_timeout_seconds));

  // SIGINT and SIGTERM are blocked in every thread (the pool inherits the
  // mask) and taken by one waiting thread, which stops the server: a signal
  // handler may not call into it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  TimedServer server(std::chrono::seconds(flags.timeout_seconds));
  const size_t threads = flags.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(flags.max_body_bytes);
  // SO_REUSEADDR (a restart need not wait out TIME_WAIT) but not httplib's
  // default SO_REUSEPORT, with which a second server on the same port would
  // start and take a share of the connections instead of failing.
  server.set_socket_options([](int socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse(JsonError));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr thrown) {
        std::string what = "an unexpected error";
        try {
          if (thrown) std::rethrow_exception(thrown);
        } catch (const std::exception& error) {
          what = error.what();
        } catch (...) {
        }
        Send(serve::ErrorResponse(500, "internal", what), res);
      });
  if (!flags.quiet) {
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "unspin: %s %s %d %zu bytes\n", req.method.c_str(), req.path.c_str(),
                   res.status, res.body.size());
    });
  }

  // The page: inline script and style only, and it may fetch nothing but this server.
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "connect-src 'self'");
    res.set_content(kWebPage.data(), kWebPage.size(), "text/html; charset=utf-8");
  });
  server.Get("/healthz",
             [&](const httplib::Request&, httplib::Response& res) { Send(api.Health(), res); });
  server.Get("/v1/model",
             [&](const httplib::Request&, httplib::Response& res) { Send(api.ModelInfo(), res); });
  server.Get("/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kOpenApiJson.data(), kOpenApiJson.size(), kJson);
  });
  PostRoute(server, "/v1/check", [&](const std::string& body) { return api.Check(body); });
  PostRoute(server, "/v1/restore", [&](const std::string& body) { return api.Restore(body); });
  PostRoute(server, "/v1/find", [&](const std::string& body) { return api.Find(body); });
  PostRoute(server, "/v1/documents",
            [&](const std::string& body) { return api.AddDocuments(body); });
  // Ids may hold '/' (a text file's id is its path): all the rest is the id.
  server.Get("/v1/documents/(.+)", [&](const httplib::Request& req, httplib::Response& res) {
    Send(api.GetDocument(req.matches[1].str()), res);
  });

  const int port = flags.port == 0
                       ? server.bind_to_any_port(flags.host)
                       : (server.bind_to_port(flags.host, flags.port) ? flags.port : -1);
  if (port <= 0) {
    std::fprintf(stderr, "unspin: cannot listen on %s port %d (in use, or not an address here)\n",
                 flags.host.c_str(), flags.port);
    return kExitIO;
  }
  // An IPv6 address goes in brackets, so that the line's URL can be opened.
  const std::string host =
      flags.host.find(':') == std::string::npos ? flags.host : "[" + flags.host + "]";
  std::fprintf(stderr, "unspin: serving on http://%s:%d/ (%zu threads; Ctrl-C or SIGTERM stops)\n",
               host.c_str(), port, threads);
  std::fflush(stderr);

  std::atomic<bool> signalled{false};
  std::thread stopper([&server, &stop_signals, &signalled] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    if (!signalled.exchange(true)) {
      std::fprintf(stderr, "unspin: %s: stopping after the requests in flight\n",
                   signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    }
    server.stop();
  });
  // Returns after stop(), once the pool has answered every connection it was given.
  const bool listened = server.listen_after_bind();
  // Stopped by itself (a failed accept): wake the stopper with a signal of its own.
  if (!signalled.exchange(true)) pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  std::fprintf(stderr, "unspin: stopped\n");
  return listened ? kExitOk : kExitIO;
}

}  // namespace

void RegisterServe(CLI::App& app, Action* action) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Answer check, restore and find over HTTP (JSON API under /v1; docs/openapi.json)");
  serve->add_option("--host", flags->host, "address to listen on")->capture_default_str();
  serve->add_option("--port", flags->port, "TCP port; 0 picks a free one (printed on stderr)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve->add_option("--index", flags->index,
                    "source index (unspin index build) for /v1/find, /v1/documents and "
                    "/v1/restore by the archive; without it find and documents answer 501");
  serve->add_option("--model", flags->model, "model file (default: $UNSPIN_MODEL or the built-in)");
  serve
      ->add_option("--threads", flags->threads,
                   "requests handled at once; more connections wait their turn")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  serve
      ->add_option("--max-body", flags->max_body_bytes,
                   "largest request body in bytes; larger ones are refused with 413")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 32));
  serve
      ->add_option("--timeout", flags->timeout_seconds,
                   "seconds a client may take to send a request or read its answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--check-timeout", flags->check_timeout_seconds,
                   "seconds a check or restoration may run; one that runs longer is stopped "
                   "and answered 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  serve->add_flag("--quiet", flags->quiet, "do not log each request on stderr");
  AddCheckerOptions(serve, &flags->options);
  serve->callback([flags, action] { *action = [flags] { return RunServe(*flags); }; });
}

}  // namespace unspin::cli
