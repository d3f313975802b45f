// The fixture of the end-to-end CLI tests: runs the unspin binary in a
// scratch directory and compares outputs with golden files in tests/golden/
// (UNSPIN_UPDATE_GOLDEN=1 rewrites them).
#ifndef UNSPIN_TESTS_CLI_CLI_FIXTURE_H_
#define UNSPIN_TESTS_CLI_CLI_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace unspin::cli_test {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("unspin_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs unspin with `args` (shell words), feeding `input` on stdin.
  Outcome Unspin(const std::string& args, const std::string& input = "") {
    return Run(std::string(UNSPIN_BINARY) + " " + args, input);
  }

  // Runs a shell command, feeding `input` on stdin.
  Outcome Run(const std::string& command, const std::string& input = "") {
    fs::path in = dir_ / "stdin", out = dir_ / "stdout", err = dir_ / "stderr";
    std::ofstream(in, std::ios::binary) << input;
    const std::string redirected =
        command + " <" + in.string() + " >" + out.string() + " 2>" + err.string();
    int status = std::system(redirected.c_str());
    Outcome run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }

  void ExpectGolden(const std::string& name, const std::string& actual) {
    fs::path path = fs::path(UNSPIN_SOURCE_DIR) / "tests/golden" / name;
    if (std::getenv("UNSPIN_UPDATE_GOLDEN") != nullptr) {
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << actual;
    }
    ASSERT_TRUE(fs::exists(path)) << path << " missing; run with UNSPIN_UPDATE_GOLDEN=1";
    EXPECT_EQ(actual, Slurp(path))
        << "golden " << name << " differs; if intended, rerun with UNSPIN_UPDATE_GOLDEN=1";
  }

  std::string Example(const std::string& name) {
    return (fs::path(UNSPIN_SOURCE_DIR) / "examples" / name).string();
  }

  fs::path dir_;
};

}  // namespace unspin::cli_test

#endif  // UNSPIN_TESTS_CLI_CLI_FIXTURE_H_
