// Regression tests of issue 17, items 5 to 8 ("errors that must be
// reported"), through the real binary: a failed write to standard output
// (full disk, closed descriptor, a reader gone with SIGPIPE ignored) exits 4,
// says what failed and stops there; --lines goes on past a line it cannot
// check; a FIFO named as a model or index is refused, not waited on; floating
// options take finite numbers only; exit codes follow README.md's table.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

// Every run is bounded: a regression to waiting on a FIFO fails, not hangs.
constexpr int kTimeoutSeconds = 60;

const char kSpunSentence[] =
    "Council members stated they required more time to examine the expense.";

class ErrorsTest : public CliTest {
 protected:
  // Runs `unspin <args>` through the shell, bounded, with standard output
  // going where `stdout_redirect` says (">/dev/full", ">&-"; empty: captured
  // in Outcome::out).
  Outcome Run(const std::string& args, const std::string& stdout_redirect,
              const std::string& input = "") {
    const fs::path in = dir_ / "stdin", out = dir_ / "stdout", err = dir_ / "stderr";
    std::ofstream(in, std::ios::binary) << input;
    const std::string command = "timeout " + std::to_string(kTimeoutSeconds) + " " + UNSPIN_BINARY +
                                " " + args + " <" + in.string() + " " +
                                (stdout_redirect.empty() ? ">" + out.string() : stdout_redirect) +
                                " 2>" + err.string();
    const int status = std::system(command.c_str());
    Outcome run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (stdout_redirect.empty()) run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }

  // Runs unspin with SIGPIPE ignored and standard output a pipe whose reader
  // is already gone: every write that reaches the pipe fails with EPIPE.
  Outcome RunIntoClosedPipe(const std::vector<std::string>& args, const fs::path& input) {
    const fs::path err = dir_ / "stderr";
    std::vector<std::string> words = {UNSPIN_BINARY};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    const int in_fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int pipe_fds[2];
    Outcome run;
    if (in_fd < 0 || err_fd < 0 || ::pipe(pipe_fds) != 0) {
      ADD_FAILURE() << "cannot set up the child's descriptors";
      return run;
    }
    ::close(pipe_fds[0]);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::signal(SIGPIPE, SIG_IGN);  // kept across exec
      ::dup2(in_fd, STDIN_FILENO);
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      ::dup2(err_fd, STDERR_FILENO);
      ::alarm(kTimeoutSeconds);  // kept across exec: SIGALRM ends a run that hangs
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ::close(in_fd);
    ::close(err_fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = Slurp(err);
    return run;
  }

  // The harbor example `copies` times: a text whose every output is larger
  // than stdio's buffer.
  std::string WriteBigText(int copies) {
    const std::string text = Slurp(Example("harbor-spun.txt"));
    const fs::path path = dir_ / "big.txt";
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < copies; ++i) out << text << '\n';
    return path.string();
  }

  // `lines` copies of a spun sentence, then one line of invalid UTF-8: a run
  // that gets to the last line says so on stderr.
  fs::path WriteLinesEndingInABadOne(int lines) {
    const fs::path path = dir_ / "lines.txt";
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < lines; ++i) out << kSpunSentence << '\n';
    out << "bad \xC3\x28 line\n";
    return path;
  }
};

bool HasDevFull() { return ::access("/dev/full", W_OK) == 0; }

// Issue 17, item 5: `check big.txt > /dev/full` and `model info > /dev/full`
// exited 0 with the output lost.
TEST_F(ErrorsTest, AFullDiskExitsFourAndSaysWhatFailed) {
  if (!HasDevFull()) GTEST_SKIP() << "no /dev/full";
  const std::string big = WriteBigText(40);
  for (const std::string& args :
       {"check " + big, "check --json " + big, "check --features " + big, "restore " + big,
        "check --json --lines " + big, "restore --lines " + big, "extract " + big,
        "extract --json " + big, "simulate --style thesaurus " + big, "lm tokenize " + big,
        std::string("model info"), std::string("check --help")}) {
    Outcome run = Run(args, ">/dev/full");
    EXPECT_EQ(run.exit_code, 4) << args << ": " << run.err;
    EXPECT_NE(run.err.find("cannot write standard output: No space left on device"),
              std::string::npos)
        << args << ": " << run.err;
  }
}

// Issue 17, item 5: an output file on a full disk (`check --html`, `scan
// --summary` ...) exited 0 with the file lost, and as root the file renamed
// over a device replaced it (/dev/full became a regular file). Named here
// through a link, so that a regression replaces the link, not the device.
TEST_F(ErrorsTest, AnOutputFileOnAFullDiskExitsFourAndTheDeviceStays) {
  if (!HasDevFull()) GTEST_SKIP() << "no /dev/full";
  const fs::path full = dir_ / "full";
  fs::create_symlink("/dev/full", full);
  const std::string big = WriteBigText(2);
  const fs::path pairs = dir_ / "pairs.jsonl";
  std::ofstream(pairs, std::ios::binary)
      << nlohmann::json({{"original",
                          "Council members said they needed more time to examine the "
                          "expense."},
                         {"spun", kSpunSentence}})
             .dump()
      << '\n';
  const std::string to = full.string();
  for (const std::string& args :
       {"check --html " + to + " " + big, "simulate --style thesaurus --key " + to + " " + big,
        "eval --details " + to + " " + pairs.string(),
        "channel learn --pairs -o " + to + " " + pairs.string(),
        "scan " + big + " --out " + (dir_ / "results.jsonl").string() + " --summary " + to}) {
    Outcome run = Run(args, ">/dev/null");
    EXPECT_EQ(run.exit_code, 4) << args << ": " << run.err;
    EXPECT_NE(run.err.find("No space left on device"), std::string::npos)
        << args << ": " << run.err;
    EXPECT_TRUE(fs::is_symlink(full)) << args << ": the link was replaced";
    EXPECT_FALSE(fs::exists(dir_ / "full.tmp")) << args;
  }
}

// Issue 17, item 5: `check x >&-` exited 0.
TEST_F(ErrorsTest, AClosedStandardOutputExitsFour) {
  const std::string big = WriteBigText(2);
  for (const std::string& args :
       {"check " + big, "restore --lines " + big, std::string("model info")}) {
    Outcome run = Run(args, ">&-");
    EXPECT_EQ(run.exit_code, 4) << args << ": " << run.err;
    EXPECT_NE(run.err.find("cannot write standard output: Bad file descriptor"), std::string::npos)
        << args << ": " << run.err;
  }
}

// Issue 17, item 5: with SIGPIPE ignored, `check --json --lines` worked
// through its whole input after its reader was gone (and on a full disk).
// Runs that stop at the first failed write never reach the bad last line.
TEST_F(ErrorsTest, LinesStopAtTheFirstFailedWrite) {
  const fs::path input = WriteLinesEndingInABadOne(3000);
  auto expect_stopped_early = [](const Outcome& run, const std::string& what) {
    EXPECT_EQ(run.exit_code, 4) << what << ": " << run.err;
    EXPECT_NE(run.err.find("cannot write standard output"), std::string::npos)
        << what << ": " << run.err;
    EXPECT_EQ(run.err.find("line 3001"), std::string::npos) << what << ": " << run.err;
    EXPECT_EQ(run.err.find("could not be checked"), std::string::npos) << what << ": " << run.err;
  };
  const std::vector<std::vector<std::string>> commands = {
      {"check", "--json", "--lines", input.string()}, {"restore", "--lines", input.string()}};
  for (const std::vector<std::string>& words : commands) {
    std::string args;
    for (const std::string& word : words) args += (args.empty() ? "" : " ") + word;
    std::ofstream(dir_ / "empty");
    Outcome piped = RunIntoClosedPipe(words, dir_ / "empty");
    expect_stopped_early(piped, args + " | (gone)");
    EXPECT_NE(piped.err.find("Broken pipe"), std::string::npos) << piped.err;
    if (HasDevFull()) expect_stopped_early(Run(args, ">/dev/full"), args + " >/dev/full");
  }
}

// Issue 17, item 6: one line of invalid UTF-8 stopped the batch; the lines
// after it were never checked.
TEST_F(ErrorsTest, LinesReportALineTheyCannotCheckAndGoOn) {
  const std::string input =
      std::string("The council postponed a vote.\n") + "bad \xC3\x28 line\n" + kSpunSentence + "\n";
  for (const char* args :
       {"check --lines -", "check --json --lines -", "check --features --lines -"}) {
    Outcome run = Run(args, "", input);
    EXPECT_EQ(run.exit_code, 2) << args << ": " << run.err;
    std::istringstream lines(run.out);
    std::vector<nlohmann::json> objects;
    for (std::string line; std::getline(lines, line);) {
      objects.push_back(nlohmann::json::parse(line));
    }
    ASSERT_EQ(objects.size(), 3u) << args << ": " << run.out;
    EXPECT_FALSE(objects[0].contains("error")) << objects[0];
    ASSERT_TRUE(objects[1]["error"].is_string()) << objects[1];
    EXPECT_NE(objects[1]["error"].get<std::string>().find("invalid UTF-8 at byte 4"),
              std::string::npos)
        << objects[1];
    EXPECT_EQ(objects[1]["line"], 2) << objects[1];
    EXPECT_EQ(objects[1].size(), 2u) << objects[1];
    EXPECT_FALSE(objects[2].contains("error")) << objects[2];
    EXPECT_NE(run.err.find("1 of 3 lines could not be checked"), std::string::npos) << run.err;
  }
  Outcome checked = Run("check --json --lines -", "", input);
  EXPECT_NE(checked.out.find("\"original\":\"said\""), std::string::npos) << checked.out;

  // Text out: the line as written, in its place, and a message on stderr.
  Outcome restored = Run("restore --lines -", "", input);
  EXPECT_EQ(restored.exit_code, 2) << restored.err;
  EXPECT_EQ(restored.out, std::string("The council postponed a vote.\n") + "bad \xC3\x28 line\n" +
                              "Council members said they needed more time to examine the "
                              "expense.\n");
  EXPECT_NE(restored.err.find("line 2: invalid UTF-8 at byte 4"), std::string::npos)
      << restored.err;

  // restore --json --lines printed the text, --json ignored: a {"restored"}
  // object per line, the error object in the bad line's place.
  Outcome restored_json = Run("restore --json --lines -", "", input);
  EXPECT_EQ(restored_json.exit_code, 2) << restored_json.err;
  std::istringstream json_lines(restored_json.out);
  std::vector<nlohmann::json> answers;
  for (std::string line; std::getline(json_lines, line);) {
    answers.push_back(nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false));
  }
  ASSERT_EQ(answers.size(), 3u) << restored_json.out;
  for (const nlohmann::json& answer : answers) ASSERT_TRUE(answer.is_object()) << restored_json.out;
  EXPECT_EQ(answers[0].value("restored", ""), "The council postponed a vote.") << answers[0];
  EXPECT_EQ(answers[1].value("line", 0), 2) << answers[1];
  EXPECT_NE(answers[1].value("error", "").find("invalid UTF-8 at byte 4"), std::string::npos)
      << answers[1];
  EXPECT_EQ(answers[2].value("restored", ""),
            "Council members said they needed more time to examine the expense.")
      << answers[2];

  Outcome spun =
      Run("simulate --style thesaurus --lines --key " + (dir_ / "key.jsonl").string() + " -", "",
          input);
  EXPECT_EQ(spun.exit_code, 2) << spun.err;
  std::istringstream spun_lines(spun.out);
  std::vector<std::string> out_lines;
  for (std::string line; std::getline(spun_lines, line);) out_lines.push_back(line);
  ASSERT_EQ(out_lines.size(), 3u) << spun.out;
  EXPECT_EQ(out_lines[1], "bad \xC3\x28 line");
  std::istringstream key(Slurp(dir_ / "key.jsonl"));
  std::vector<nlohmann::json> documents;
  for (std::string line; std::getline(key, line);) documents.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(documents.size(), 3u);
  EXPECT_EQ(documents[1]["document"], 1);
  EXPECT_TRUE(documents[1]["changes"].empty());
  EXPECT_NE(spun.err.find("line 2"), std::string::npos) << spun.err;
}

// Issue 17, item 7: `--model` naming a FIFO hung (waiting for a writer).
TEST_F(ErrorsTest, AFifoIsRefusedAsAModelOrIndexNotWaitedOn) {
  const fs::path fifo = dir_ / "model.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& args :
       {"check --model " + fifo.string() + " -", "model info " + fifo.string(),
        "lm score --lm " + fifo.string() + " -"}) {
    Outcome run = Run(args, "", "A short text.\n");
    EXPECT_EQ(run.exit_code, 3) << args << ": " << run.err;
    EXPECT_NE(run.err.find("model.fifo is not a regular file"), std::string::npos)
        << args << ": " << run.err;
  }
  const fs::path index = dir_ / "index";
  fs::create_directories(index);
  ASSERT_EQ(::mkfifo((index / "MANIFEST").c_str(), 0600), 0);
  Outcome find = Run("find --index " + index.string() + " -", "", "A short text.\n");
  EXPECT_EQ(find.exit_code, 3) << find.err;
  EXPECT_NE(find.err.find("not a regular file"), std::string::npos) << find.err;

  // A FIFO as a text input is read: a text may come from a pipe.
  const fs::path text = dir_ / "text.fifo";
  ASSERT_EQ(::mkfifo(text.c_str(), 0600), 0);
  const std::string command = "(printf '%s' '" + std::string(kSpunSentence) + "' >" +
                              text.string() + " &); timeout " + std::to_string(kTimeoutSeconds) +
                              " " + UNSPIN_BINARY + " check --json " + text.string() + " >" +
                              (dir_ / "fifo.out").string() + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << Slurp(dir_ / "fifo.out");
  EXPECT_NE(Slurp(dir_ / "fifo.out").find("\"original\":\"said\""), std::string::npos)
      << Slurp(dir_ / "fifo.out");
}

// Issue 17, item 7: `--change-cost nan` passed the range check (every
// comparison with NaN is false) and changed the result.
TEST_F(ErrorsTest, FloatingOptionsTakeFiniteNumbersOnly) {
  const std::string text = (dir_ / "text.txt").string();
  std::ofstream(text) << kSpunSentence << '\n';
  const std::string index = (dir_ / "no-index").string();
  const std::vector<std::string> commands = {
      "check --change-cost X " + text,
      "check --min-spun-probability X " + text,
      "restore --change-cost X " + text,
      "restore --min-spun-probability X " + text,
      "find --index " + index + " --min-score X " + text,
      "cluster --index " + index + " --min-score X",
      "simulate --style thesaurus --rate X " + text,
      "simulate --style thesaurus --quoted-probability X " + text,
      "simulate --style thesaurus --name-probability X " + text,
      // --wordnet: a build that got past the check fails at once.
      "model build -o " + (dir_ / "m.unspin").string() + " --wordnet " + index + " --lm-weight X",
      "lm build -o " + (dir_ / "x.lm").string() + " --memory X " + text,
  };
  for (const std::string& command : commands) {
    for (const char* value : {"nan", "NaN", "inf", "-inf", "1e999"}) {
      std::string args = command;
      args.replace(args.find(" X"), 2, std::string(" ") + value);
      Outcome run = Run(args, "");
      EXPECT_EQ(run.exit_code, 1) << args << ": " << run.err;
    }
  }
  EXPECT_EQ(Run("check --change-cost 3.75 --min-spun-probability 0 " + text, "").exit_code, 0);
}

// Issue 17, item 8: a model that cannot be read exited 4 (README: 3), and a
// directory given as a text input exited 2 (README: 4, like a file that
// cannot be read).
TEST_F(ErrorsTest, ExitCodesFollowTheReadmeTable) {
  const fs::path file = dir_ / "file";
  std::ofstream(file) << "x";
  const fs::path loop = dir_ / "loop";
  fs::create_symlink(loop, loop);
  std::vector<std::string> unreadable = {(file / "model.unspin").string(), loop.string()};
  if (::geteuid() != 0) {  // root reads any file
    const fs::path locked = dir_ / "locked.unspin";
    fs::copy_file(UNSPIN_DEFAULT_MODEL, locked);
    fs::permissions(locked, fs::perms::none);
    unreadable.push_back(locked.string());
  }
  for (const std::string& model : unreadable) {
    for (const std::string& args : {"check --model " + model + " -", "model info " + model,
                                    "lm score --lm " + model + " -"}) {
      Outcome run = Run(args, "", "A short text.\n");
      EXPECT_EQ(run.exit_code, 3) << args << ": " << run.err;
    }
  }
  const fs::path folder = dir_ / "folder";
  fs::create_directories(folder);
  const std::string dir = folder.string();
  for (const std::string& args :
       {"check " + dir, "restore " + dir, "extract " + dir, "simulate --style sparse " + dir,
        "eval " + dir, "index build --out " + (dir_ / "index").string() + " " + dir,
        "cluster " + dir}) {
    Outcome run = Run(args, "");
    EXPECT_EQ(run.exit_code, 4) << args << ": " << run.err;
    EXPECT_NE(run.err.find("Is a directory"), std::string::npos) << args << ": " << run.err;
  }
}

// Issue 17, item 8: `scan --index` wrote "source": {"error": ...} for a
// document whose indexed text is damaged, and counted no error.
TEST_F(ErrorsTest, ScanCountsADamagedIndexDocumentAsAnError) {
  const fs::path archive = dir_ / "archive.jsonl";
  const std::string original = Slurp(Example("harbor-original.txt"));
  {
    std::ofstream out(archive, std::ios::binary);
    out << nlohmann::json({{"id", "harbor"}, {"text", original}}).dump() << '\n';
    for (int i = 0; i < 3; ++i) {
      std::string text;
      for (int j = 0; j < 30; ++j) {
        text += "Report " + std::to_string(i) + " paragraph " + std::to_string(j) +
                " describes the weather, the markets and the schools of a distant town. ";
      }
      out << nlohmann::json({{"id", "other-" + std::to_string(i)}, {"text", text}}).dump() << '\n';
    }
  }
  const fs::path index = dir_ / "index";
  Outcome built = Run("index build --out " + index.string() + " " + archive.string(), "");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  // Damage the harbor story's text where the segment stores it.
  const std::string needle = "delayed a vote";
  bool damaged = false;
  for (const auto& entry : fs::directory_iterator(index)) {
    if (!entry.path().filename().string().starts_with("seg-")) continue;
    std::string bytes = Slurp(entry.path());
    const size_t at = bytes.find(needle);
    if (at == std::string::npos) continue;
    bytes[at] = 'P';
    std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << bytes;
    damaged = true;
  }
  ASSERT_TRUE(damaged) << "the harbor text is not in any segment";

  const fs::path results = dir_ / "results.jsonl", summary = dir_ / "summary.json";
  Outcome scan = Run("scan --index " + index.string() + " --out " + results.string() +
                         " --summary " + summary.string() + " " + Example("harbor-spun.txt"),
                     "");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  const std::string written = Slurp(results);  // the header line, then the page's
  const nlohmann::json line = nlohmann::json::parse(written.substr(written.find('\n') + 1));
  ASSERT_TRUE(line["source"].is_object()) << line;
  ASSERT_TRUE(line["source"]["error"].is_string()) << line;
  EXPECT_NE(line["source"]["error"].get<std::string>().find("checksum mismatch"), std::string::npos)
      << line;
  EXPECT_TRUE(line["spun_probability"].is_number()) << line;
  EXPECT_EQ(nlohmann::json::parse(Slurp(summary))["errors"], 1) << Slurp(summary);
  EXPECT_NE(scan.err.find("1 errors"), std::string::npos) << scan.err;
}

}  // namespace
