// Regression tests of issue 17, item 9, through the real binary: a text
// input over the limit (1 GiB) is refused from its size before it is read,
// by every verb that reads a text whole, with exit 2 and nothing on
// standard output; a long text is checked in windows with the same output
// as before; `scan --memory` takes a budget.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"

namespace {

using namespace unspin::cli_test;  // NOLINT(google-build-using-namespace): the fixture

constexpr uint64_t kLimitBytes = uint64_t{1} << 30;

class MemoryTest : public CliTest {
 protected:
  // A sparse file of the limit and one byte: its size is over the limit, and
  // it holds no data on disk.
  fs::path SparseOversizeFile(const std::string& name) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << "";
    EXPECT_EQ(::truncate(path.c_str(), static_cast<off_t>(kLimitBytes + 1)), 0);
    return path;
  }
};

TEST_F(MemoryTest, AnOversizeTextIsRefusedFromItsSize) {
  const std::string big = SparseOversizeFile("big.txt").string();
  const std::string size = std::to_string(kLimitBytes + 1) + " bytes";
  const std::string index = (dir_ / "index").string();
  Outcome built = Unspin("index build --out " + index + " " + Example("harbor-original.txt"));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  for (const std::string& args :
       {"check " + big, "check --json " + big, "check --lines " + big, "restore " + big,
        "extract " + big, "simulate --style sparse " + big, "find --index " + index + " " + big,
        std::string("check - <") + big}) {
    // In parentheses: the fixture's own redirection of standard input comes
    // after, and must not replace this one.
    std::string command = "(";
    command.append(UNSPIN_BINARY).append(" ").append(args).append(")");
    Outcome run = Run(command);
    EXPECT_EQ(run.exit_code, 2) << args << ": " << run.err;
    EXPECT_EQ(run.out, "") << args;
    EXPECT_NE(run.err.find(size + ", over the limit of " + std::to_string(kLimitBytes)),
              std::string::npos)
        << args << ": " << run.err;
  }
  // An index build skips the document (reported with its size), indexes the rest.
  Outcome run = Unspin("index build --out " + (dir_ / "index2").string() + " " + big + " " +
                       Example("harbor-original.txt"));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(big + ": the document is " + size), std::string::npos) << run.err;
  Outcome info = Unspin("index info --json " + (dir_ / "index2").string());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(nlohmann::json::parse(info.out)["documents"], 1) << info.out;
}

// `scan --memory` takes a size as `lm build --memory` does; a record larger
// than the budget gets an error line, the others are checked.
TEST_F(MemoryTest, ScanMemoryTakesSizesAndReportsARecordOverIt) {
  const fs::path input = dir_ / "docs.jsonl";
  {
    std::ofstream jsonl(input, std::ios::binary);
    jsonl << nlohmann::json({{"id", "short"}, {"text", "The council met on Tuesday."}}).dump()
          << "\n";
    std::string text;
    for (int i = 0; i < 200; ++i) text += "The harbor bridge needs repairs before winter. ";
    jsonl << nlohmann::json({{"id", "long"}, {"text", text}}).dump() << "\n";
  }
  Outcome bad =
      Unspin("scan " + input.string() + " --out " + (dir_ / "x.jsonl").string() + " --memory 12Q");
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  const fs::path out = dir_ / "out.jsonl";
  Outcome run = Unspin("scan " + input.string() + " --out " + out.string() + " --memory 4K");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(Slurp(out));
  std::string header, first, second;
  ASSERT_TRUE(std::getline(lines, header) && std::getline(lines, first) &&
              std::getline(lines, second));
  EXPECT_FALSE(nlohmann::json::parse(first).contains("error")) << first;
  const nlohmann::json refused = nlohmann::json::parse(second);
  EXPECT_EQ(refused["id"], "long");
  EXPECT_NE(refused["error"].get<std::string>().find("over the memory budget of 4096 bytes"),
            std::string::npos)
      << second;
}

}  // namespace
