// `unspin serve` end to end: a real server process on a loopback port, driven
// by cpp-httplib's client (and a raw socket where a client must misbehave).
// Answers are compared with what the CLI prints for the same input.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>
#include <vector>

#include "cli/cli_fixture.h"

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
    server_ = std::make_unique<ServerProcess>(args, dir_ / "serve.log");
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
  for (const char* path :
       {"/healthz", "/v1/check", "/v1/restore", "/v1/find", "/v1/model", "/v1/openapi.json"}) {
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
  // The message of invalid JSON names the byte.
  httplib::Result truncated = Post("/v1/check", "{\"text\": ");
  ASSERT_TRUE(truncated);
  EXPECT_NE(truncated->body.find("at byte 9"), std::string::npos) << truncated->body;

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

  httplib::Result no_index = Post("/v1/find", R"({"text": "a"})");
  ASSERT_TRUE(no_index);
  EXPECT_EQ(no_index->status, 501);
  EXPECT_EQ(ErrorCode(no_index), "no_index");

  // The server is still up and answering after all that.
  httplib::Result health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
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

TEST_F(ServeTest, SigtermFinishesTheRequestInFlightThenExits) {
  Start();
  const std::string body = Json({{"text", Slurp(Example("harbor-spun.txt"))}}).dump();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const std::string head =
      "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/json\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  // Half the request, then SIGTERM: the server must wait for the rest.
  ASSERT_TRUE(SendAll(fd, head + body.substr(0, body.size() / 2)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(::kill(server_->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(server_->HasExited()) << server_->Log();
  ASSERT_TRUE(SendAll(fd, body.substr(body.size() / 2)));
  const std::string response = ReadToEnd(fd);
  ::close(fd);
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
  const std::string head =
      "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/json\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
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

}  // namespace
}  // namespace unspin::cli_test
