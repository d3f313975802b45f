// unspin away from the build tree it was configured in: installed with
// `cmake --install` into a new prefix, and a build tree moved elsewhere. Each
// finds its model next to the binary ($UNSPIN_MODEL and --model first), and
// the installed library links into another project through
// find_package(unspin) and through pkg-config.
#include <gtest/gtest.h>

#include <string>

#include "cli/cli_fixture.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

// A shell command without the caller's $UNSPIN_MODEL, so that the default is
// what is tested.
std::string WithoutModelVariable(const std::string& command) {
  return "env -u UNSPIN_MODEL " + command;
}

std::string GoldenCheck() {
  return Slurp(fs::path(UNSPIN_SOURCE_DIR) / "tests/golden/check/harbor-spun.json");
}

// The one file called `name` under `root`, or empty.
fs::path FindFile(const fs::path& root, const std::string& name) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().filename() == name) return entry.path();
  }
  return {};
}

// Opens the model named on the command line and checks a sentence with it.
constexpr const char* kConsumerSource = R"(#include <cstdio>

#include "unspin/model/model.h"
#include "unspin/pipeline/check.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto model = unspin::model::Model::Open(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  unspin::pipeline::Checker checker(**model);
  auto result = checker.Check("The council stated it required more time to examine the expense.");
  if (!result.ok()) return 1;
  std::printf("%zu words\n", static_cast<size_t>(result->words));
  return 0;
}
)";

TEST_F(CliTest, InstalledPrefixHoldsAWorkingUnspinAndItsLibrary) {
  const fs::path prefix = dir_ / "prefix";
  Outcome install = Run(std::string(UNSPIN_CMAKE) + " --install " + UNSPIN_BINARY_DIR +
                        " --prefix " + prefix.string());
  ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
  const fs::path model = prefix / "share/unspin/en-us.unspin";
  EXPECT_TRUE(fs::exists(prefix / "bin/unspin"));
  EXPECT_TRUE(fs::exists(model));
  EXPECT_TRUE(fs::exists(prefix / "include/unspin/pipeline/check.h"));
  EXPECT_FALSE(fs::exists(prefix / "include/unspin/check.cc"));
  const fs::path config = FindFile(prefix, "unspinConfig.cmake");
  const fs::path pkgconfig = FindFile(prefix, "unspin.pc");
  ASSERT_FALSE(config.empty());
  ASSERT_FALSE(pkgconfig.empty());

  // The installed binary reads the installed model, not the build tree's.
  const std::string unspin = (prefix / "bin/unspin").string();
  Outcome info = Run(WithoutModelVariable(unspin + " model info"));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.out.rfind("model\t" + model.string() + "\n", 0), 0u) << info.out;
  Outcome check = Run(WithoutModelVariable(unspin + " check --json " + Example("harbor-spun.txt")));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, GoldenCheck());

  // A project of its own links the library: CMake package, then pkg-config.
  const fs::path consumer = dir_ / "consumer";
  fs::create_directories(consumer);
  std::ofstream(consumer / "main.cc") << kConsumerSource;
  std::ofstream(consumer / "CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.25)\n"
         "project(consumer LANGUAGES CXX)\n"
         "find_package(unspin 0.1 CONFIG REQUIRED)\n"
         "add_executable(consumer main.cc)\n"
         "target_link_libraries(consumer PRIVATE unspin::pipeline)\n";
  Outcome configure = Run(std::string(UNSPIN_CMAKE) + " -S " + consumer.string() + " -B " +
                          (consumer / "build").string() + " -G Ninja -DCMAKE_BUILD_TYPE=Release" +
                          " -DCMAKE_PREFIX_PATH=" + prefix.string());
  ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
  Outcome build = Run(std::string(UNSPIN_CMAKE) + " --build " + (consumer / "build").string());
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  Outcome run = Run((consumer / "build/consumer").string() + " " + model.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "11 words\n");

  const std::string flags = "$(PKG_CONFIG_PATH=" + pkgconfig.parent_path().string() +
                            " pkg-config --cflags --libs unspin)";
  Outcome compiled = Run("c++ -std=c++20 -O1 " + (consumer / "main.cc").string() + " -o " +
                         (consumer / "by-pkg-config").string() + " " + flags);
  ASSERT_EQ(compiled.exit_code, 0) << compiled.err;
  Outcome by_pkg_config = Run((consumer / "by-pkg-config").string() + " " + model.string());
  EXPECT_EQ(by_pkg_config.exit_code, 0) << by_pkg_config.err;
  EXPECT_EQ(by_pkg_config.out, "11 words\n");
}

// The build tree copied elsewhere (binary, CMakeCache.txt, model): the binary
// reads the model beside it; with none there it names where it looked, not
// where the tree was configured; $UNSPIN_MODEL and --model come first.
TEST_F(CliTest, MovedBuildTreeFindsItsModel) {
  const fs::path tree = dir_ / "moved-build";
  fs::create_directories(tree / "tools");
  fs::create_directories(tree / "model");
  fs::copy_file(UNSPIN_BINARY, tree / "tools/unspin");
  fs::copy_file(fs::path(UNSPIN_BINARY_DIR) / "CMakeCache.txt", tree / "CMakeCache.txt");
  const fs::path model = tree / "model/en-us.unspin";
  fs::copy_file(UNSPIN_DEFAULT_MODEL, model);
  const std::string unspin = (tree / "tools/unspin").string();

  Outcome info = Run(WithoutModelVariable(unspin + " model info"));
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.out.rfind("model\t" + model.string() + "\n", 0), 0u) << info.out;
  Outcome check = Run(WithoutModelVariable(unspin + " check --json " + Example("harbor-spun.txt")));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, GoldenCheck());

  fs::remove(model);
  Outcome missing = Run(WithoutModelVariable(unspin + " check " + Example("harbor-spun.txt")));
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find(model.string()), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find((tree / "share/unspin/en-us.unspin").string()), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("unspin model build -o " + model.string()), std::string::npos)
      << missing.err;
  EXPECT_EQ(missing.err.find(UNSPIN_BINARY_DIR), std::string::npos) << missing.err;

  const std::string built = UNSPIN_DEFAULT_MODEL;
  Outcome from_variable = Run("UNSPIN_MODEL=" + built + " " + unspin + " model info");
  ASSERT_EQ(from_variable.exit_code, 0) << from_variable.err;
  EXPECT_EQ(from_variable.out.rfind("model\t" + built + "\n", 0), 0u) << from_variable.out;
  Outcome flag_first = Run("UNSPIN_MODEL=" + (dir_ / "none.unspin").string() + " " + unspin +
                           " model info " + built);
  EXPECT_EQ(flag_first.exit_code, 0) << flag_first.err;
  Outcome variable_first = Run("UNSPIN_MODEL=" + (dir_ / "none.unspin").string() + " " + unspin +
                               " check " + Example("harbor-spun.txt"));
  EXPECT_EQ(variable_first.exit_code, 3);
  EXPECT_NE(variable_first.err.find("none.unspin"), std::string::npos) << variable_first.err;
}

}  // namespace
