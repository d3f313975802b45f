// `unspin serve` end to end: a real server process on a loopback port, driven
// by cpp-httplib's client (and a raw socket where a client must misbehave).
// Answers are compared with what the CLI prints for the same input.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "cli/cli_fixture.h"
#include "common/wordnet_text.h"

namespace unspin::cli_test {
namespace {

using Json = nlohmann::json;

// One `unspin serve` process with its stderr in a file; killed if still up
// when destroyed.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args, const fs::path& log) : log_(log) {
    std::vector<std::string> argv = {UNSPIN_BINARY, "serve",   "--port",
                                     "0",           "--model", UNSPIN_DEFAULT_MODEL};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> pointers;
      for (std::string& arg : argv) pointers.push_back(arg.data());
      pointers.push_back(nullptr);
      FILE* err = std::freopen(log.c_str(), "w", stderr);
      if (err == nullptr) ::_exit(127);
      ::execv(pointers[0], pointers.data());
      ::_exit(127);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // The port from the "serving on http://127.0.0.1:PORT/" line, waiting up
  // to 60 s for it (the model is mapped first); 0 when it never came.
  int WaitForPort() {
    const std::regex serving("serving on http://127\\.0\\.0\\.1:([0-9]+)/");
    for (int tries = 0; tries < 600; ++tries) {
      std::smatch match;
      const std::string log = Slurp(log_);
      if (std::regex_search(log, match, serving)) return std::stoi(match[1]);
      if (HasExited()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
  }

  bool HasExited() {
    if (exited_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return exited_;
  }

  // Waits up to 30 s for the process to end; its exit code, or -1.
  int Wait() {
    for (int tries = 0; tries < 300 && !HasExited(); ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return exited_ ? exit_code_ : -1;
  }

  pid_t pid() const { return pid_; }
  std::string Log() const { return Slurp(log_); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

class ServeTest : public CliTest {
 protected:
  // Starts a server with `args` and a client for it.
  void Start(const std::vector<std::string>& args = {}) {
    // A log of its own: a restarted server's port is not read from the last one's.
    server_ = std::make_unique<ServerProcess>(
        args, dir_ / ("serve-" + std::to_string(++servers_started_) + ".log"));
    port_ = server_->WaitForPort();
    ASSERT_GT(port_, 0) << server_->Log();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60, 0);
  }

  httplib::Result Post(const std::string& path, const std::string& body) {
    return client_->Post(path.c_str(), body, "application/json");
  }

  // The error code of a JSON error body, after checking its shape.
  static std::string ErrorCode(const httplib::Result& result) {
    if (!result) return "(no response)";
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
    Json body = Json::parse(result->body, nullptr, false);
    if (!body.is_object() || !body.contains("error") || !body["error"]["code"].is_string() ||
        !body["error"]["message"].is_string()) {
      ADD_FAILURE() << "not a JSON error: " << result->body;
      return "";
    }
    return body["error"]["code"];
  }

  std::string Model() const { return UNSPIN_DEFAULT_MODEL; }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
  int servers_started_ = 0;
};

TEST_F(ServeTest, HealthzModelAndOpenApi) {
  Start();
  httplib::Result health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Json::parse(health->body), Json({{"status", "ok"}}));

  httplib::Result model = client_->Get("/v1/model");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->status, 200);
  Json info = Json::parse(model->body);
  EXPECT_EQ(info["model"], Model());
  EXPECT_GT(info["vocabulary_words"].get<uint64_t>(), 1000u);
  EXPECT_TRUE(info["index"].is_null());

  // The description is the repository's file, embedded, and names every route.
  httplib::Result openapi = client_->Get("/v1/openapi.json");
  ASSERT_TRUE(openapi);
  EXPECT_EQ(openapi->status, 200);
  EXPECT_EQ(openapi->body, Slurp(fs::path(UNSPIN_SOURCE_DIR) / "docs/openapi.json"));
  Json description = Json::parse(openapi->body);
  EXPECT_EQ(description["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const char* path : {"/healthz", "/v1/check", "/v1/restore", "/v1/find", "/v1/model",
                           "/v1/openapi.json", "/v1/documents", "/v1/documents/{id}"}) {
    EXPECT_TRUE(description["paths"].contains(path)) << path;
  }
}

TEST_F(ServeTest, WebPageIsEmbeddedAndSelfContained) {
  Start();
  httplib::Result page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->body, Slurp(fs::path(UNSPIN_SOURCE_DIR) / "tools/unspin/web/index.html"));
  EXPECT_NE(page->body.find("<textarea"), std::string::npos);
  EXPECT_NE(page->body.find("/v1/check"), std::string::npos);
  // Nothing fetched from elsewhere: no absolute URL, no external script or style.
  EXPECT_EQ(page->body.find("http://"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
  EXPECT_EQ(page->body.find("src="), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
}

TEST_F(ServeTest, CheckAndRestoreAnswerAsTheCli) {
  Start();
  const std::string spun = Slurp(Example("harbor-spun.txt"));
  const Outcome cli = Unspin("check --json --model " + Model() + " -", spun);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  httplib::Result checked = Post("/v1/check", Json({{"text", spun}}).dump());
  ASSERT_TRUE(checked);
  EXPECT_EQ(checked->status, 200);
  EXPECT_EQ(checked->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(checked->body + "\n", cli.out);
  EXPECT_FALSE(Json::parse(checked->body)["spans"].empty());

  // Options as fields: the same as the CLI's flags.
  const Outcome strict = Unspin(
      "check --json --change-cost 8 --min-spun-probability 0 --model " + Model() + " -", spun);
  httplib::Result strict_checked = Post(
      "/v1/check", Json({{"text", spun}, {"change_cost", 8}, {"min_spun_probability", 0}}).dump());
  ASSERT_TRUE(strict_checked);
  EXPECT_EQ(strict_checked->body + "\n", strict.out);
  EXPECT_NE(strict_checked->body, checked->body);
  const Outcome rare = Unspin("check --json --spun-share 0.01 --model " + Model() + " -", spun);
  httplib::Result rare_checked =
      Post("/v1/check", Json({{"text", spun}, {"spun_share", 0.01}}).dump());
  ASSERT_TRUE(rare_checked);
  EXPECT_EQ(rare_checked->body + "\n", rare.out);
  EXPECT_LT(Json::parse(rare_checked->body)["spun_probability"].get<double>(),
            Json::parse(checked->body)["spun_probability"].get<double>());

  const Outcome restored = Unspin("restore --model " + Model() + " -", spun);
  httplib::Result restore = Post("/v1/restore", Json({{"text", spun}}).dump());
  ASSERT_TRUE(restore);
  EXPECT_EQ(restore->status, 200);
  EXPECT_EQ(Json::parse(restore->body), Json({{"restored", restored.out}}));
}

// More clients than threads: every one is answered, each as a lone client is.
TEST_F(ServeTest, ConcurrentClientsGetTheSameAnswers) {
  Start({"--threads", "2", "--quiet"});
  const std::string body = Json({{"text", Slurp(Example("harbor-spun.txt"))}}).dump();
  httplib::Result alone = Post("/v1/check", body);
  ASSERT_TRUE(alone);
  ASSERT_EQ(alone->status, 200);
  constexpr int kClients = 8;
  constexpr int kRequestsEach = 4;
  std::vector<std::string> answers(kClients * kRequestsEach);
  std::vector<int> statuses(answers.size(), 0);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port_);
      client.set_read_timeout(60, 0);
      for (int r = 0; r < kRequestsEach; ++r) {
        httplib::Result result = client.Post("/v1/check", body, "application/json");
        if (!result) continue;
        statuses[c * kRequestsEach + r] = result->status;
        answers[c * kRequestsEach + r] = result->body;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(statuses[i], 200) << i;
    EXPECT_EQ(answers[i], alone->body) << i;
  }
}

TEST_F(ServeTest, HtmlIsCheckedByItsArticle) {
  Start();
  const std::string spun = Slurp(Example("harbor-spun.txt"));
  std::string page = "<html><head><title>Harbor</title></head><body><nav>Home | News</nav>";
  page += "<article>";
  for (size_t start = 0, end; start < spun.size(); start = end + 1) {
    end = spun.find('\n', start);
    if (end == std::string::npos) end = spun.size();
    if (end > start) page += "<p>" + spun.substr(start, end - start) + "</p>";
  }
  page += "</article></body></html>";
  const Outcome extracted = Unspin("extract --format html -", page);
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  httplib::Result checked = Post("/v1/check", Json({{"html", page}}).dump());
  ASSERT_TRUE(checked);
  ASSERT_EQ(checked->status, 200) << checked->body;
  Json result = Json::parse(checked->body);
  const std::string article = result["article"];
  EXPECT_EQ(article, extracted.out);
  ASSERT_FALSE(result["spans"].empty());
  for (const Json& span : result["spans"]) {
    const size_t start = span["start"], end = span["end"];
    ASSERT_LE(end, article.size());
    EXPECT_EQ(article.substr(start, end - start), span["text"].get<std::string>());
  }
}

TEST_F(ServeTest, BadRequestsGetJsonErrors) {
  Start({"--max-body", "4096"});
  struct Case {
    std::string body;
    int status;
    std::string code;
  };
  const Case cases[] = {
      {"{\"text\": ", 400, "invalid_json"},
      {"", 400, "invalid_json"},
      {std::string(600, '[') + std::string(600, ']'), 400, "invalid_json"},
      {"[\"text\"]", 400, "invalid_argument"},
      {"{}", 400, "invalid_argument"},
      {R"({"text": "a", "html": "<p>a</p>"})", 400, "invalid_argument"},
      {R"({"text": 3})", 400, "invalid_argument"},
      {R"({"text": "a", "change_cost": -1})", 400, "invalid_argument"},
      {R"({"text": "a", "min_spun_probability": "high"})", 400, "invalid_argument"},
      {R"({"text": "a", "spun_share": 1})", 400, "invalid_argument"},
      {R"({"text": "a", "chnage_cost": 2})", 400, "invalid_argument"},
      {"{\"text\": \"bad \xff byte\"}", 400, "invalid_json"},
      {"{\"text\": \"" + std::string(5000, 'a') + "\"}", 413, "payload_too_large"},
  };
  for (const Case& c : cases) {
    for (const char* path : {"/v1/check", "/v1/restore"}) {
      httplib::Result result = Post(path, c.body);
      ASSERT_TRUE(result) << path << " " << c.body.substr(0, 80);
      EXPECT_EQ(result->status, c.status) << path << " " << c.body.substr(0, 80);
      EXPECT_EQ(ErrorCode(result), c.code) << path << " " << c.body.substr(0, 80);
    }
  }
  // A number out of range names the bounds as the CLI and Python write them.
  httplib::Result out_of_range = Post("/v1/check", R"({"text": "a", "change_cost": -1})");
  ASSERT_TRUE(out_of_range);
  EXPECT_NE(out_of_range->body.find("\"change_cost\\\" must be a number from 0 to 100"),
            std::string::npos)
      << out_of_range->body;
  httplib::Result share = Post("/v1/check", R"({"text": "a", "spun_share": 1})");
  ASSERT_TRUE(share);
  EXPECT_NE(share->body.find("from 0.001 to 0.999"), std::string::npos) << share->body;
  // The message of invalid JSON names the byte, invalid UTF-8 included.
  httplib::Result truncated = Post("/v1/check", "{\"text\": ");
  ASSERT_TRUE(truncated);
  EXPECT_NE(truncated->body.find("at byte 9"), std::string::npos) << truncated->body;
  httplib::Result bad_utf8 = Post("/v1/check", "{\"text\": \"bad \xff byte\"}");
  ASSERT_TRUE(bad_utf8);
  EXPECT_NE(bad_utf8->body.find("at byte 14"), std::string::npos) << bad_utf8->body;

  httplib::Result wrong_method = client_->Get("/v1/check");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");
  EXPECT_EQ(ErrorCode(wrong_method), "method_not_allowed");
  httplib::Result post_health = Post("/healthz", "{}");
  ASSERT_TRUE(post_health);
  EXPECT_EQ(post_health->status, 405);
  EXPECT_EQ(post_health->get_header_value("Allow"), "GET");

  for (const char* path : {"/v2/check", "/v1/check/", "/../etc/passwd", "/v1"}) {
    httplib::Result unknown = client_->Get(path);
    ASSERT_TRUE(unknown) << path;
    EXPECT_EQ(unknown->status, 404) << path;
    EXPECT_EQ(ErrorCode(unknown), "not_found") << path;
  }

  for (const char* path : {"/v1/find", "/v1/documents"}) {
    httplib::Result no_index = Post(path, R"({"text": "a"})");
    ASSERT_TRUE(no_index) << path;
    EXPECT_EQ(no_index->status, 501) << path;
    EXPECT_EQ(ErrorCode(no_index), "no_index") << path;
  }
  httplib::Result no_document = client_->Get("/v1/documents/a");
  ASSERT_TRUE(no_document);
  EXPECT_EQ(no_document->status, 501);
  httplib::Result get_documents = client_->Get("/v1/documents");
  ASSERT_TRUE(get_documents);
  EXPECT_EQ(get_documents->status, 405);
  EXPECT_EQ(get_documents->get_header_value("Allow"), "POST");
  httplib::Result post_document = Post("/v1/documents/a", "{}");
  ASSERT_TRUE(post_document);
  EXPECT_EQ(post_document->status, 405);
  EXPECT_EQ(post_document->get_header_value("Allow"), "GET");

  // The server is still up and answering after all that.
  httplib::Result health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

// The body is JSON whatever type the client names: `curl -d` sends
// application/x-www-form-urlencoded, which must not be parsed as a form (nor
// limited to a form's 8 KiB).
TEST_F(ServeTest, BodiesAreJsonWhateverTheirContentType) {
  Start({"--quiet"});
  std::string text;
  while (text.size() < 20000) text += Slurp(Example("harbor-spun.txt"));
  const std::string body = Json({{"text", text}}).dump();
  httplib::Result as_json = Post("/v1/check", body);
  ASSERT_TRUE(as_json);
  ASSERT_EQ(as_json->status, 200) << as_json->body.substr(0, 200);
  for (const char* type : {"application/x-www-form-urlencoded", "text/plain", ""}) {
    httplib::Result result = client_->Post("/v1/check", body, type);
    ASSERT_TRUE(result) << type;
    EXPECT_EQ(result->status, 200) << type << ": " << result->body.substr(0, 200);
    EXPECT_TRUE(result->body == as_json->body) << type;
  }
  httplib::Result form = client_->Post("/v1/check", "text=a+b", "multipart/form-data; boundary=x");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400);
  EXPECT_EQ(ErrorCode(form), "invalid_json");
}

TEST_F(ServeTest, FindNamesTheIndexedSource) {
  const std::string index = (dir_ / "index").string();
  const std::string original = Example("harbor-original.txt");
  const Outcome built =
      Unspin("index build --out " + index + " --model " + Model() + " " + original);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  Start({"--index", index});
  const std::string spun = Slurp(Example("harbor-spun.txt"));
  const Outcome cli = Unspin("find --json --index " + index + " --model " + Model() + " -", spun);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  httplib::Result found = Post("/v1/find", Json({{"text", spun}}).dump());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 200);
  EXPECT_EQ(found->body + "\n", cli.out);
  Json matches = Json::parse(found->body)["matches"];
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0]["id"], original);

  httplib::Result model = client_->Get("/v1/model");
  ASSERT_TRUE(model);
  EXPECT_EQ(Json::parse(model->body)["index"]["documents"], 1);

  for (const Json& k : {Json(0), Json(2.5), Json("3"), Json(1001)}) {
    httplib::Result bad_k = Post("/v1/find", Json({{"text", spun}, {"k", k}}).dump());
    ASSERT_TRUE(bad_k);
    EXPECT_EQ(bad_k->status, 400) << k;
    EXPECT_EQ(ErrorCode(bad_k), "invalid_argument") << k;
    EXPECT_NE(bad_k->body.find("whole number from 1 to 1000"), std::string::npos) << bad_k->body;
  }
}

// A raw connection to the server: what a client that sends slowly looks like.
int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

std::string ReadToEnd(int fd) {
  std::string bytes;
  char buffer[4096];
  for (ssize_t got; (got = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
    bytes.append(buffer, static_cast<size_t>(got));
  }
  return bytes;
}

// The head of a POST of `body_bytes` bytes of JSON to `path`, for raw sockets.
std::string PostHead(const std::string& path, size_t body_bytes) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: "
         "close\r\nContent-Length: " +
         std::to_string(body_bytes) + "\r\n\r\n";
}

// Sends half of a POST of `body` to `path`, SIGTERMs the server, checks that
// it waits, sends the rest; the response, read to its end.
std::string PostAcrossSigterm(ServerProcess& server, int port, const std::string& path,
                              const std::string& body) {
  const int fd = Connect(port);
  EXPECT_GE(fd, 0);
  if (fd < 0) return "";
  EXPECT_TRUE(SendAll(fd, PostHead(path, body.size()) + body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(::kill(server.pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(server.HasExited()) << server.Log();
  EXPECT_TRUE(SendAll(fd, body.substr(body.size() / 2)));
  const std::string response = ReadToEnd(fd);
  ::close(fd);
  return response;
}

TEST_F(ServeTest, SigtermFinishesTheRequestInFlightThenExits) {
  Start();
  const std::string body = Json({{"text", Slurp(Example("harbor-spun.txt"))}}).dump();
  // Half the request, then SIGTERM: the server must wait for the rest.
  const std::string response = PostAcrossSigterm(*server_, port_, "/v1/check", body);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << response;
  EXPECT_NE(response.find("\"spun_probability\""), std::string::npos) << response;
  EXPECT_EQ(server_->Wait(), 0) << server_->Log();
  EXPECT_NE(server_->Log().find("SIGTERM: stopping"), std::string::npos) << server_->Log();
  EXPECT_LT(Connect(port_), 0) << "still accepting connections after SIGTERM";
}

// One thread, busy with a slow client; a second request waits in the queue
// when SIGTERM comes. Both are answered before the server exits.
TEST_F(ServeTest, SigtermAnswersTheQueuedRequestsToo) {
  Start({"--threads", "1"});
  const std::string body = Json({{"text", Slurp(Example("harbor-spun.txt"))}}).dump();
  const std::string head = PostHead("/v1/check", body.size());
  const int slow = Connect(port_);
  ASSERT_GE(slow, 0);
  ASSERT_TRUE(SendAll(slow, head + body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int queued = Connect(port_);
  ASSERT_GE(queued, 0);
  ASSERT_TRUE(SendAll(queued, head + body));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(server_->HasExited()) << server_->Log();
  ASSERT_TRUE(SendAll(slow, body.substr(body.size() / 2)));
  const std::string slow_response = ReadToEnd(slow);
  const std::string queued_response = ReadToEnd(queued);
  ::close(slow);
  ::close(queued);
  EXPECT_EQ(slow_response.substr(0, 15), "HTTP/1.1 200 OK") << slow_response;
  EXPECT_EQ(queued_response.substr(0, 15), "HTTP/1.1 200 OK") << queued_response;
  EXPECT_EQ(server_->Wait(), 0) << server_->Log();
}

// SIGTERM closes the door at once (a new connection is refused, so that a
// server under steady load still stops) and the request in flight is answered.
TEST_F(ServeTest, SigtermStopsTakingConnectionsAtOnce) {
  Start({"--threads", "1"});
  const std::string body = Json({{"text", Slurp(Example("harbor-spun.txt"))}}).dump();
  const int slow = Connect(port_);
  ASSERT_GE(slow, 0);
  ASSERT_TRUE(SendAll(slow, PostHead("/v1/check", body.size()) + body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(server_->HasExited()) << server_->Log();
  const int late = Connect(port_);
  EXPECT_LT(late, 0) << "a connection was taken after SIGTERM";
  if (late >= 0) ::close(late);
  ASSERT_TRUE(SendAll(slow, body.substr(body.size() / 2)));
  const std::string response = ReadToEnd(slow);
  ::close(slow);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << response;
  EXPECT_EQ(server_->Wait(), 0) << server_->Log();
}

TEST_F(ServeTest, SigintStopsAnIdleServer) {
  Start();
  ASSERT_EQ(::kill(server_->pid(), SIGINT), 0);
  EXPECT_EQ(server_->Wait(), 0) << server_->Log();
}

TEST_F(ServeTest, PortInUseIsAnIOError) {
  Start();
  // `timeout`: a second server that did start must not hang the test.
  const Outcome second = Run("timeout 30 " + std::string(UNSPIN_BINARY) + " serve --port " +
                             std::to_string(port_) + " --model " + Model());
  EXPECT_EQ(second.exit_code, 4) << second.err;
  EXPECT_NE(second.err.find("cannot listen"), std::string::npos) << second.err;
}

// The address the server prints is a URL that opens, an IPv6 one too.
TEST_F(ServeTest, AnIpv6AddressIsPrintedInBrackets) {
  ServerProcess server({"--host", "::1", "--quiet"}, dir_ / "ipv6.log");
  const std::regex serving("serving on (http://[^ ]+/) ");
  std::smatch match;
  std::string log;
  for (int tries = 0; tries < 600 && !server.HasExited(); ++tries) {
    log = server.Log();
    if (std::regex_search(log, match, serving)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (log.find("cannot listen") != std::string::npos) GTEST_SKIP() << "no IPv6 loopback here";
  ASSERT_TRUE(std::regex_search(log, match, serving)) << log;
  const std::string url = match[1];
  EXPECT_EQ(url.substr(0, 13), "http://[::1]:") << url;
  httplib::Client client(url.substr(0, url.size() - 1));
  httplib::Result health = client.Get("/healthz");
  ASSERT_TRUE(health) << url;
  EXPECT_EQ(health->status, 200);
}

// The status line of a raw request, sent exactly as written (a client
// library would normalise the path).
std::string RawStatusLine(int port, const std::string& request) {
  const int fd = Connect(port);
  if (fd < 0) return "(no connection)";
  SendAll(fd, request);
  const std::string response = ReadToEnd(fd);
  ::close(fd);
  return response.substr(0, response.find("\r\n"));
}

// The server serves the page at "/" and nothing from the file system: no
// path, however it climbs, reaches a file.
TEST_F(ServeTest, PathTraversalFindsNoFile) {
  Start();
  for (const char* path :
       {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd",
        "/web/../../../etc/passwd", "/index.html", "/web/index.html", "//etc/passwd",
        "/v1/../../etc/passwd", "/tools/unspin/web/index.html"}) {
    const std::string status = RawStatusLine(
        port_, std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(status == "HTTP/1.1 404 Not Found" || status == "HTTP/1.1 400 Bad Request")
        << path << ": " << status;
  }
  EXPECT_EQ(RawStatusLine(port_, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 200 OK");
}

// Clients that send nothing (or half a request) hold a thread for --timeout
// at most: with both threads taken by them, a third client is still served.
TEST_F(ServeTest, SlowClientsTimeOutWithoutStarvingOthers) {
  Start({"--threads", "2", "--timeout", "2", "--quiet"});
  const int silent = Connect(port_);
  const int half = Connect(port_);
  ASSERT_GE(silent, 0);
  ASSERT_GE(half, 0);
  ASSERT_TRUE(SendAll(half, "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Le"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  httplib::Result health = client_->Get("/healthz");
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_LT(waited, 10.0);
  // The server closed both: reading gives the end of the stream, not a hang
  // (recv would block past the test's own timeout otherwise).
  for (int fd : {silent, half}) {
    timeval limit{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char byte;
    const auto before = std::chrono::steady_clock::now();
    ssize_t got = 0;
    while ((got = ::recv(fd, &byte, 1, 0)) > 0) {
    }
    EXPECT_EQ(got, 0) << "the server did not close a stalled connection";
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - before).count(),
              10.0);
    ::close(fd);
  }
}

// Clients that send a byte now and then, never letting a read time out, are
// cut off --timeout after their thread took them, in the head or in the body:
// with both threads taken by them, a third client is still served.
TEST_F(ServeTest, DrippingClientsAreCutOffAtTheDeadline) {
  Start({"--threads", "2", "--timeout", "2", "--quiet"});
  const std::string body = Json({{"text", std::string(200, 'a')}}).dump();
  const std::string request = PostHead("/v1/check", body.size()) + body;
  const size_t head_size = request.size() - body.size();
  // Sends the first `at_once` bytes of the request, then a byte every 200 ms
  // for up to 12 s; the seconds the server took them before it closed the
  // connection or answered.
  auto drip = [&](size_t at_once, double* seconds) {
    const int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, request.substr(0, at_once)));
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = at_once; i < request.size() && i < at_once + 60; ++i) {
      char byte;
      if (!SendAll(fd, request.substr(i, 1)) || ::recv(fd, &byte, 1, MSG_DONTWAIT) >= 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(fd);
  };
  double head_seconds = 0;
  double body_seconds = 0;
  std::thread head_client(drip, 0, &head_seconds);
  std::thread body_client(drip, head_size, &body_seconds);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  httplib::Result health = client_->Get("/healthz");
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  head_client.join();
  body_client.join();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_LT(waited, 6.0);
  EXPECT_LT(head_seconds, 5.0) << "a client dripping its head was never cut off";
  EXPECT_LT(body_seconds, 5.0) << "a client dripping its body was never cut off";
}

// A client that asks "Expect: 100-continue" (curl does, for a body over
// 1 KiB) is sent "100 Continue" before its body; the answer's own deadline
// starts with the answer, not with that line, however long the check took.
TEST_F(ServeTest, AnswerAfterContinueIsNotCutByALongCheck) {
  Start({"--timeout", "1", "--quiet"});
  std::string text;
  while (text.size() < (size_t{3} << 19)) text += Slurp(Example("harbor-spun.txt"));
  const std::string body = Json({{"text", text}, {"min_spun_probability", 0}}).dump();
  std::string head = PostHead("/v1/check", body.size());
  head.insert(head.size() - 2, "Expect: 100-continue\r\n");
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, head));
  char interim[25] = {};
  ASSERT_EQ(::recv(fd, interim, sizeof interim, MSG_WAITALL), 25);
  EXPECT_EQ(std::string(interim, 25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(SendAll(fd, body));
  const auto start = std::chrono::steady_clock::now();
  const std::string response = ReadToEnd(fd);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK")
      << response.substr(0, 200) << " (after " << seconds << " s)";
  EXPECT_NE(response.find("\"spun_probability\""), std::string::npos);
}

// A check that runs past --check-timeout is stopped at its next window and
// answered 503 "timeout"; the server goes on answering. 1.5 MB of text takes
// several seconds to check on any machine this project runs on (docs/evaluation.md,
// Speed), against a limit of one.
TEST_F(ServeTest, ACheckPastItsTimeLimitIsStopped) {
  Start({"--check-timeout", "1", "--quiet"});
  std::string text;
  while (text.size() < (size_t{3} << 19)) text += Slurp(Example("harbor-spun.txt")) + "\n\n";
  for (const char* route : {"/v1/check", "/v1/restore"}) {
    const auto start = std::chrono::steady_clock::now();
    httplib::Result stopped = Post(route, Json({{"text", text}}).dump());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(stopped) << route;
    EXPECT_EQ(stopped->status, 503) << route << " after " << seconds << " s";
    EXPECT_EQ(ErrorCode(stopped), "timeout") << stopped->body.substr(0, 200);
    EXPECT_NE(stopped->body.find("time limit"), std::string::npos) << stopped->body.substr(0, 200);
  }
  httplib::Result small =
      Post("/v1/check", Json({{"text", Slurp(Example("harbor-spun.txt"))}}).dump());
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
}

class ServeIndexTest : public ServeTest {
 protected:
  // An index of the harbor story's original, and a server on it.
  void StartWithIndex(const std::vector<std::string>& args = {}) {
    index_ = (dir_ / "index").string();
    original_ = Example("harbor-original.txt");
    const Outcome built =
        Unspin("index build --out " + index_ + " --model " + Model() + " " + original_);
    ASSERT_EQ(built.exit_code, 0) << built.err;
    std::vector<std::string> all = {"--index", index_};
    all.insert(all.end(), args.begin(), args.end());
    Start(all);
  }

  // {"documents": [{"id", "text"}...]} of WordNet documents `skip`... with ids
  // prefixed by `prefix`.
  static std::string DocumentsBody(const std::string& prefix, size_t count, size_t skip) {
    Json documents = Json::array();
    for (const auto& document : test_data::WordNetDocuments(count, skip)) {
      documents.push_back({{"id", prefix + document.id}, {"text", document.text}});
    }
    return Json({{"documents", documents}}).dump();
  }

  uint64_t DocumentCount() {
    httplib::Result model = client_->Get("/v1/model");
    if (!model || model->status != 200) return 0;
    return Json::parse(model->body)["index"]["documents"].get<uint64_t>();
  }

  // What the CLI reads in the index directory: `index verify` passes, and the count.
  uint64_t VerifiedCount() {
    const Outcome verified = Unspin("index verify --model " + Model() + " " + index_);
    EXPECT_EQ(verified.exit_code, 0) << verified.err;
    const Outcome info = Unspin("index info --json --model " + Model() + " " + index_);
    EXPECT_EQ(info.exit_code, 0) << info.err;
    Json parsed = Json::parse(info.out, nullptr, false);
    return parsed.is_object() ? parsed["documents"].get<uint64_t>() : 0;
  }

  std::string index_;
  std::string original_;
};

TEST_F(ServeIndexTest, AddedDocumentsAreStoredFoundAndReadBack) {
  StartWithIndex();
  const std::string spun = Slurp(Example("harbor-spun.txt"));
  httplib::Result added = Post(
      "/v1/documents",
      Json({{"documents",
             {{{"id", "copy-1"}, {"text", spun}, {"url", "http://farm.example/1"}, {"n", 7}}}}})
          .dump());
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 200) << added->body;
  EXPECT_EQ(Json::parse(added->body), Json({{"added", 1}, {"documents", 2}}));
  EXPECT_EQ(DocumentCount(), 2u);

  httplib::Result stored = client_->Get("/v1/documents/copy-1");
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 200) << stored->body;
  EXPECT_EQ(Json::parse(stored->body),
            Json({{"id", "copy-1"},
                  {"text", spun},
                  {"metadata", {{"url", "http://farm.example/1"}, {"n", 7}}}}));
  // An id with slashes (a text file's id is its path), percent-encoded or not.
  httplib::Result by_path = client_->Get(("/v1/documents/" + original_).c_str());
  ASSERT_TRUE(by_path);
  ASSERT_EQ(by_path->status, 200) << by_path->body;
  EXPECT_EQ(Json::parse(by_path->body)["text"], Slurp(original_));
  EXPECT_EQ(Json::parse(by_path->body)["metadata"], Json::object());
  std::string encoded;
  for (char c : original_) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
  httplib::Result by_encoded = client_->Get(("/v1/documents/" + encoded).c_str());
  ASSERT_TRUE(by_encoded);
  EXPECT_EQ(by_encoded->status, 200) << encoded;
  httplib::Result missing = client_->Get("/v1/documents/copy-2");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ErrorCode(missing), "not_found");

  // A find after the add sees the new document, as the CLI does on the same directory.
  httplib::Result found = Post("/v1/find", Json({{"text", spun}}).dump());
  ASSERT_TRUE(found);
  const Outcome cli = Unspin("find --json --index " + index_ + " --model " + Model() + " -", spun);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(found->body + "\n", cli.out);
  std::set<std::string> ids;
  const Json matches = Json::parse(found->body)["matches"];
  for (const Json& match : matches) ids.insert(match["id"]);
  EXPECT_EQ(ids, (std::set<std::string>{"copy-1", original_}));
  EXPECT_EQ(VerifiedCount(), 2u);
}

// A request adds all its documents or none: a duplicate id or a malformed
// document anywhere refuses the whole request.
TEST_F(ServeIndexTest, AddsAreAllOrNothing) {
  StartWithIndex();
  const Json good = {{"id", "fresh"}, {"text", "A fresh document about the harbor repairs."}};
  struct Case {
    Json documents;
    int status;
    std::string code;
  };
  const Case cases[] = {
      {Json::array({good, {{"id", original_}, {"text", "taken id"}}}), 409, "duplicate_id"},
      {Json::array({good, good}), 409, "duplicate_id"},
      {Json::array({good, {{"id", "no-text"}}}), 400, "invalid_argument"},
      {Json::array({good, {{"id", "blank"}, {"text", "   "}}}), 400, "invalid_argument"},
      {Json::array({good, {{"id", ""}, {"text", "empty id"}}}), 400, "invalid_argument"},
      {Json::array({good, "not an object"}), 400, "invalid_argument"},
      {Json::array(), 400, "invalid_argument"},
  };
  for (const Case& c : cases) {
    httplib::Result result = Post("/v1/documents", Json({{"documents", c.documents}}).dump());
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, c.status) << c.documents.dump();
    EXPECT_EQ(ErrorCode(result), c.code) << c.documents.dump();
  }
  for (const std::string& body : {std::string("{\"documents\": [{\"id\": \"x\", \"text\": "),
                                  std::string(R"({"docs": []})"), std::string(R"([])")}) {
    httplib::Result result = Post("/v1/documents", body);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << body;
  }
  httplib::Result fresh = client_->Get("/v1/documents/fresh");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 404) << "a refused request added a document";
  EXPECT_EQ(DocumentCount(), 1u);
  EXPECT_EQ(VerifiedCount(), 1u);
  httplib::Result added = Post("/v1/documents", Json({{"documents", {good}}}).dump());
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 200) << added->body;
  EXPECT_EQ(VerifiedCount(), 2u);
}

// Many clients add at once, and race to add one id: no document is lost,
// none is stored twice, the id goes to exactly one of them.
TEST_F(ServeIndexTest, ConcurrentAddsLoseAndDuplicateNothing) {
  StartWithIndex({"--threads", "4", "--quiet"});
  constexpr size_t kClients = 6;
  constexpr size_t kRequestsEach = 3;
  constexpr size_t kDocumentsEach = 2;
  std::vector<std::string> bodies;
  for (size_t c = 0; c < kClients; ++c) {
    for (size_t r = 0; r < kRequestsEach; ++r) {
      const size_t request = c * kRequestsEach + r;
      std::string prefix = std::to_string(c);
      prefix += '-';
      bodies.push_back(DocumentsBody(prefix, kDocumentsEach, request * kDocumentsEach));
    }
  }
  const std::string contested =
      Json({{"documents", {{{"id", "contested"}, {"text", "Every client wants this id."}}}}})
          .dump();
  std::atomic<int> contested_wins{0}, contested_conflicts{0}, failures{0};
  std::vector<std::thread> clients;
  for (size_t c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port_);
      client.set_read_timeout(120, 0);
      for (size_t r = 0; r < kRequestsEach; ++r) {
        httplib::Result result =
            client.Post("/v1/documents", bodies[c * kRequestsEach + r], "application/json");
        if (!result || result->status != 200) ++failures;
        if (r == 1) {
          httplib::Result race = client.Post("/v1/documents", contested, "application/json");
          if (race && race->status == 200) ++contested_wins;
          if (race && race->status == 409) ++contested_conflicts;
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(contested_wins.load(), 1);
  EXPECT_EQ(contested_conflicts.load(), static_cast<int>(kClients) - 1);
  const uint64_t expected = 1 + kClients * kRequestsEach * kDocumentsEach + 1;
  EXPECT_EQ(DocumentCount(), expected);
  EXPECT_EQ(VerifiedCount(), expected);
  for (size_t c = 0; c < kClients; ++c) {
    const Json documents = Json::parse(bodies[c * kRequestsEach])["documents"];
    for (const Json& document : documents) {
      const std::string id = document["id"];
      httplib::Result stored = client_->Get(("/v1/documents/" + id).c_str());
      ASSERT_TRUE(stored);
      EXPECT_EQ(stored->status, 200) << id;
      EXPECT_EQ(Json::parse(stored->body)["text"], document["text"]) << id;
    }
  }
}

TEST_F(ServeIndexTest, RestoreTakesTheArchiveAsTheCliDoes) {
  StartWithIndex();
  const std::string spun = Slurp(Example("harbor-spun.txt"));
  const Outcome cli = Unspin("restore --index " + index_ + " --model " + Model() + " -", spun);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  httplib::Result restored = Post("/v1/restore", Json({{"text", spun}}).dump());
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->status, 200) << restored->body;
  Json result = Json::parse(restored->body);
  EXPECT_EQ(result["restored"], cli.out);
  ASSERT_EQ(result["sources"].size(), 1u) << restored->body;
  EXPECT_EQ(result["sources"][0]["id"], original_);
  // The archive restores more than the model alone does.
  const Outcome model_only = Unspin("restore --model " + Model() + " -", spun);
  EXPECT_NE(result["restored"], model_only.out);
}

// SIGTERM while an add is being received: it is finished and committed
// before the server exits.
TEST_F(ServeIndexTest, SigtermCompletesTheAddInFlight) {
  StartWithIndex();
  const std::string response =
      PostAcrossSigterm(*server_, port_, "/v1/documents", DocumentsBody("late-", 20, 0));
  EXPECT_EQ(response.substr(0, 15), "HTTP/1.1 200 OK") << response;
  EXPECT_EQ(server_->Wait(), 0) << server_->Log();
  EXPECT_EQ(VerifiedCount(), 21u);
}

// A server killed outright in the middle of a large add (as soon as the
// writer's first new file appears in the index directory) leaves the index
// as it was before the add or with all of it, never in between, never
// damaged; a server started on it again adds to it.
TEST_F(ServeIndexTest, KilledDuringAnAddLeavesTheIndexWholeOrAsItWas) {
  StartWithIndex();
  std::set<std::string> before;
  for (const auto& entry : fs::directory_iterator(index_)) before.insert(entry.path().string());
  const std::string body = DocumentsBody("bulk-", 120, 0);
  std::thread adder([&] {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(120, 0);
    client.Post("/v1/documents", body, "application/json");
  });
  bool writing = false;
  for (int tries = 0; tries < 30000 && !writing; ++tries) {
    for (const auto& entry : fs::directory_iterator(index_)) {
      writing = writing || !before.contains(entry.path().string());
    }
    if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(server_->pid(), SIGKILL);
  adder.join();
  server_->Wait();
  EXPECT_TRUE(writing) << "the add never began writing";
  const uint64_t count = VerifiedCount();
  EXPECT_TRUE(count == 1 || count == 121) << count;

  Start({"--index", index_});
  httplib::Result added = Post("/v1/documents", DocumentsBody("after-", 2, 0));
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 200) << added->body;
  EXPECT_EQ(VerifiedCount(), count + 2);
}

TEST_F(ServeTest, CheckHtmlWritesAStandaloneReport) {
  const std::string spun = Example("harbor-spun.txt");
  const std::string report = (dir_ / "report.html").string();
  const Outcome cli = Unspin("check --json --html " + report + " --model " + Model() + " " + spun);
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const std::string html = Slurp(report);
  const std::string open = R"(<script type="application/json" id="report">)";
  const size_t at = html.find(open);
  ASSERT_NE(at, std::string::npos);
  const size_t end = html.find("</script>", at);
  ASSERT_NE(end, std::string::npos);
  Json embedded = Json::parse(html.substr(at + open.size(), end - at - open.size()));
  EXPECT_EQ(embedded["name"], spun);
  EXPECT_EQ(embedded["text"], Slurp(spun));
  EXPECT_EQ(embedded["check"], Json::parse(cli.out));
  // The page around it is the served page, which fetches nothing from elsewhere.
  std::string page = html;
  page.erase(at + open.size(), end - at - open.size());
  EXPECT_EQ(page, Slurp(fs::path(UNSPIN_SOURCE_DIR) / "tools/unspin/web/index.html"));

  // No text can close the script element early; a page's report carries its lines.
  const std::string hostile = (dir_ / "hostile.html").string();
  std::ofstream(hostile) << "<html><body><article><p>"
                         << "The council stated that the &lt;/script&gt; repairs required more "
                            "time and a bigger budget than planned.</p><p>Share this 12</p>"
                         << "</article></body></html>";
  const Outcome page_report =
      Unspin("check --html " + report + " --model " + Model() + " " + hostile);
  ASSERT_EQ(page_report.exit_code, 0) << page_report.err;
  const std::string written = Slurp(report);
  const size_t script = written.find(open);
  ASSERT_NE(script, std::string::npos);
  const size_t closing = written.find("</script>", script);
  Json from_page =
      Json::parse(written.substr(script + open.size(), closing - script - open.size()));
  EXPECT_NE(from_page["text"].get<std::string>().find("</script>"), std::string::npos);
  EXPECT_TRUE(from_page["check"]["page"]["lines"].is_array());
  EXPECT_EQ(from_page["check"]["article"], from_page["text"]);

  const Outcome with_lines =
      Unspin("check --lines --html " + report + " --model " + Model() + " " + spun);
  EXPECT_EQ(with_lines.exit_code, 1) << with_lines.err;

  // A file of records, recognised as one (no --format): refused too, before
  // any report is written (each record's report would replace the last's).
  const std::string records = (dir_ / "records.jsonl").string();
  std::ofstream(records) << Json({{"id", "first"}, {"text", Slurp(spun)}}).dump() << "\n"
                         << Json({{"id", "second"}, {"text", "A second short text."}}).dump()
                         << "\n";
  const std::string unwritten = (dir_ / "unwritten.html").string();
  const Outcome many = Unspin("check --html " + unwritten + " --model " + Model() + " " + records);
  EXPECT_EQ(many.exit_code, 1) << many.err;
  EXPECT_NE(many.err.find("--html reports one document"), std::string::npos) << many.err;
  EXPECT_FALSE(fs::exists(unwritten));
}

}  // namespace
}  // namespace unspin::cli_test
