#include "unspin/pipeline/scan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace unspin::pipeline {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class ScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<model::Model>> opened = model::Model::Open(UNSPIN_DEFAULT_MODEL);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    model_ = std::move(opened).value().release();
    checker_ = new Checker(*model_);
  }
  static void TearDownTestSuite() {
    delete checker_;
    delete model_;
  }
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("unspin_scan_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static model::Model* model_;
  static Checker* checker_;
  fs::path dir_;
};

model::Model* ScanTest::model_ = nullptr;
Checker* ScanTest::checker_ = nullptr;

TEST_F(ScanTest, LoadScanOutputKeepsCompleteResultLinesAndCutsTheRest) {
  std::string path = (dir_ / "out.jsonl").string();
  const std::string header = ScanHeader({"x.warc", "y.jsonl"}, {{"model", "0123abcd"}});
  EXPECT_EQ(header,
            "{\"unspin_scan\":2,\"inputs\":[\"x.warc\",\"y.jsonl\"],\"settings\":{\"model\":"
            "\"0123abcd\"}}");
  Result<ScanResume> none = LoadScanOutput(path, header, false);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->done.empty());
  EXPECT_FALSE(none->header_written);
  EXPECT_EQ(none->truncated_bytes, 0u);

  std::string good = header + "\n" +
                     "{\"id\":\"a\",\"input\":\"x.warc\",\"record\":3,\"spun_probability\":0.5}\n"
                     "{\"url\":\"u\",\"input\":\"y.jsonl\",\"record\":0,\"error\":\"bad\"}\n";
  std::string torn = "{\"id\":\"b\",\"input\":\"x.warc\",\"rec";
  std::ofstream(path, std::ios::binary) << good << torn;
  Result<ScanResume> done = LoadScanOutput(path, header, false);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->done, (std::set<ScanKey>{{"x.warc", 3}, {"y.jsonl", 0}}));
  EXPECT_TRUE(done->header_written);
  EXPECT_EQ(done->truncated_bytes, torn.size());
  EXPECT_EQ(Slurp(path), good);

  // A line that is not a result line ends what counts, even if complete.
  std::ofstream(path, std::ios::binary)
      << good << "[1,2]\n{\"id\":\"c\",\"input\":\"z\",\"record\":1}\n";
  done = LoadScanOutput(path, header, false);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->done.size(), 2u);
  EXPECT_EQ(Slurp(path), good);

  // A header cut off before its newline: a new output.
  std::ofstream(path, std::ios::binary) << header.substr(0, 20);
  done = LoadScanOutput(path, header, false);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_FALSE(done->header_written);
  EXPECT_EQ(Slurp(path), "");
}

// Issue 17: resume took any existing file for a results file with a torn
// tail and cut it to nothing, inputs included. Only a file whose header is
// this scan's is ever cut.
TEST_F(ScanTest, LoadScanOutputNeverCutsAFileThatIsNotThisScansResults) {
  const std::string path = (dir_ / "out.jsonl").string();
  const std::string header = ScanHeader({"pages.jsonl"}, {{"model", "0123abcd"}});
  const std::string pages =
      "{\"id\": \"a\", \"text\": \"One.\"}\n{\"id\": \"b\", \"text\": \"Two\"}";
  for (const std::string& content :
       {pages, std::string("notes\nmore notes\n"), std::string(100000, 'x'), std::string("{"),
        std::string("{\"unspin\":1}\n")}) {
    std::ofstream(path, std::ios::binary) << content;
    for (bool overwrite : {false, true}) {
      Result<ScanResume> refused = LoadScanOutput(path, header, overwrite);
      ASSERT_FALSE(refused.ok());
      EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(refused.status().message().find("not an unspin scan results file"),
                std::string::npos)
          << refused.status().message();
      EXPECT_EQ(Slurp(path), content);
    }
    EXPECT_FALSE(IsScanResultsFile(path));
  }

  // Another scan's results: refused, or replaced with overwrite.
  const std::string other = ScanHeader({"pages.jsonl", "more.warc"}, {{"model", "99999999"}}) +
                            "\n{\"id\":\"a\",\"input\":\"pages.jsonl\",\"record\":0}\n";
  std::ofstream(path, std::ios::binary) << other;
  EXPECT_TRUE(IsScanResultsFile(path));
  Result<ScanResume> refused = LoadScanOutput(path, header, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("other inputs, model"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("--overwrite"), std::string::npos);
  EXPECT_EQ(Slurp(path), other);
  Result<ScanResume> replaced = LoadScanOutput(path, header, true);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_TRUE(replaced->done.empty());
  EXPECT_FALSE(replaced->header_written);
  EXPECT_EQ(replaced->replaced_bytes, other.size());
  EXPECT_EQ(Slurp(path), "");
}

TEST_F(ScanTest, AnOutputThatIsAnInputIsRefusedUntouched) {
  fs::create_directories(dir_ / "in");
  const std::string page = "The council approved the harbor repairs after a long debate.\n";
  std::ofstream(dir_ / "in" / "page.txt", std::ios::binary) << page;
  const std::string input = (dir_ / "in" / "page.txt").string();
  fs::create_hard_link(input, dir_ / "link.txt");
  for (const std::string& out :
       {input, (dir_ / "in" / "." / "page.txt").string(), (dir_ / "link.txt").string()}) {
    for (const std::vector<std::string>& inputs :
         {std::vector<std::string>{input}, std::vector<std::string>{(dir_ / "in").string()}}) {
      ScanOptions options;
      options.overwrite = true;
      Result<ScanSummary> summary = Scan(*checker_, inputs, out, options);
      ASSERT_FALSE(summary.ok()) << out;
      EXPECT_EQ(summary.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(summary.status().message().find("it is left as it is"), std::string::npos);
      EXPECT_EQ(Slurp(input), page);
    }
  }
}

TEST_F(ScanTest, ExpandInputsRecursesDirectoriesInSortedOrder) {
  fs::create_directories(dir_ / "d" / "b");
  for (const char* name : {"d/z.txt", "d/b/c.txt", "d/a.txt", "one.txt"}) {
    std::ofstream(dir_ / name) << "x";
  }
  Result<std::vector<std::string>> files =
      ExpandInputs({(dir_ / "one.txt").string(), (dir_ / "d").string()});
  ASSERT_TRUE(files.ok());
  std::vector<std::string> expected = {(dir_ / "one.txt").string(), (dir_ / "d/a.txt").string(),
                                       (dir_ / "d/b/c.txt").string(), (dir_ / "d/z.txt").string()};
  EXPECT_EQ(*files, expected);
  Result<std::vector<std::string>> missing = ExpandInputs({(dir_ / "nope").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(ScanTest, ScanDocumentLineShapeSourceHookAndErrors) {
  extract::Document doc;
  doc.id = "http://a.example/1";
  doc.id_is_url = true;
  doc.url = doc.id;
  doc.record = 4;
  doc.format = extract::InputFormat::kText;
  doc.content =
      "The mayor stated the city required new funds.\n\n134\n\nThe council had actually advised "
      "a fast choice after inspectors discovered fractures in the old pier.\n";
  double p = -1;
  nlohmann::json line = nlohmann::json::parse(ScanDocument(*checker_, doc, "in.warc", {}, &p));
  EXPECT_EQ(line["url"], "http://a.example/1");
  EXPECT_EQ(line["input"], "in.warc");
  EXPECT_EQ(line["record"], 4);
  EXPECT_EQ(line["format"], "text");
  EXPECT_NEAR(line["spun_probability"].get<double>(), p, 1e-4);
  EXPECT_GE(p, 0);
  EXPECT_EQ(line["debris_lines"], 1);
  ASSERT_FALSE(line["top_spans"].empty());
  double last = 1e9;
  for (const nlohmann::json& span : line["top_spans"]) {
    EXPECT_LE(span["score"].get<double>(), last);
    last = span["score"];
  }
  EXPECT_TRUE(line["source"].is_null());
  std::vector<std::string> keys;
  for (auto it = line.begin(); it != line.end(); ++it) keys.push_back(it.key());
  // nlohmann::json sorts keys; the order on disk is checked by the CLI golden test.
  EXPECT_EQ(keys.size(), 9u);

  std::string checked;
  SourceFinder finder = [&checked](const extract::Document& d, std::string_view text,
                                   const CheckResult& r) -> Result<std::optional<std::string>> {
    checked = std::string(text);
    return std::optional<std::string>("{\"id\":\"" + d.id +
                                      "\",\"words\":" + std::to_string(r.words) + "}");
  };
  line = nlohmann::json::parse(ScanDocument(*checker_, doc, "in.warc", finder, &p));
  EXPECT_EQ(line["source"]["id"], "http://a.example/1");
  EXPECT_EQ(line["source"]["words"], line["words"]);
  EXPECT_FALSE(checked.empty());  // the finder sees the checked article text

  // Text that is not UTF-8 (the reader repairs it; here it is bypassed).
  doc.content = "bad \xC3\x28 bytes";
  doc.id_is_url = false;
  line = nlohmann::json::parse(ScanDocument(*checker_, doc, "in.warc", {}, &p));
  EXPECT_EQ(p, -1);
  EXPECT_EQ(line["id"], "http://a.example/1");
  ASSERT_TRUE(line["error"].is_string());
  EXPECT_NE(line["error"].get<std::string>().find("byte 4"), std::string::npos) << line;
  EXPECT_FALSE(line.contains("spun_probability"));
}

// Issue 17: a source finder that fails (a damaged index document) gave
// "source": {"error"} but was not counted in the summary's errors.
TEST_F(ScanTest, AFailedSourceLookupIsAnErrorOfTheLine) {
  const fs::path input = dir_ / "page.txt";
  std::ofstream(input) << "The mayor stated the city required new funds.\n";
  ScanOptions options;
  options.threads = 1;
  options.find_source = [](const extract::Document&, std::string_view,
                           const CheckResult&) -> Result<std::optional<std::string>> {
    return CorruptionError("seg-000001.usx: checksum mismatch in document 0");
  };
  const fs::path out = dir_ / "out.jsonl";
  Result<ScanSummary> summary = Scan(*checker_, {input.string()}, out.string(), options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->documents, 1u);
  EXPECT_EQ(summary->errors, 1u);
  const std::string results = Slurp(out);  // the header line, then the page's
  const nlohmann::json line = nlohmann::json::parse(results.substr(results.find('\n') + 1));
  EXPECT_TRUE(line["spun_probability"].is_number()) << line;
  EXPECT_NE(line["source"]["error"].get<std::string>().find("checksum mismatch"), std::string::npos)
      << line;
  uint64_t histogram_total = 0;
  for (uint64_t count : summary->spun_histogram) histogram_total += count;
  EXPECT_EQ(histogram_total, 1u);  // the check itself succeeded
}

TEST_F(ScanTest, OutputIsTheSameForAnyThreadCount) {
  std::ofstream jsonl(dir_ / "docs.jsonl", std::ios::binary);
  const char* sentences[] = {
      "The council approved the harbor repairs after a long debate on Tuesday.",
      "Inspectors stated the pier required urgent work before the winter storms.",
      "The mayor had actually advised a fast choice after crews discovered fractures.",
      "Residents said they were glad the bridge would reopen by the end of May."};
  for (int i = 0; i < 60; ++i) {
    std::string text;
    for (int k = 0; k <= i % 4; ++k) text += std::string(sentences[(i + k) % 4]) + " ";
    nlohmann::json line = {{"id", "doc-" + std::to_string(i)}, {"text", text}};
    jsonl << line.dump() << "\n";
  }
  jsonl.close();
  std::vector<std::string> inputs = {(dir_ / "docs.jsonl").string()};
  std::string reference;
  for (int threads : {1, 4}) {
    std::string out = (dir_ / ("out" + std::to_string(threads) + ".jsonl")).string();
    ScanOptions options;
    options.threads = threads;
    int progress_calls = 0;
    options.progress = [&](const ScanProgress& progress) {
      ++progress_calls;
      EXPECT_LE(progress.bytes_read, progress.total_bytes);
    };
    Result<ScanSummary> summary = Scan(*checker_, inputs, out, options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->documents, 60u);
    EXPECT_GE(progress_calls, 1);
    std::string written = Slurp(out);
    if (threads == 1) {
      reference = written;
      std::istringstream lines(written);
      std::string line;
      ASSERT_TRUE(std::getline(lines, line));
      EXPECT_EQ(line, ScanHeader(inputs, {}));
      int i = 0;
      while (std::getline(lines, line)) {
        EXPECT_EQ(nlohmann::json::parse(line)["id"], "doc-" + std::to_string(i++));
      }
      EXPECT_EQ(i, 60);
    } else {
      EXPECT_EQ(written, reference);
    }
  }
}

// Issue 17, item 9: the records in flight stay within ScanOptions::memory_bytes.
// A budget just above the largest record (one record at a time, whatever the
// thread count) gives the same results as the default; a record larger than
// the budget gets an error line of its own, and the others are checked.
TEST_F(ScanTest, AMemoryBudgetChangesNothingButRefusesARecordOverIt) {
  const fs::path input = dir_ / "docs.jsonl";
  std::vector<std::string> texts;
  size_t largest = 0;
  {
    std::ofstream jsonl(input, std::ios::binary);
    for (int i = 0; i < 24; ++i) {
      std::string text;
      for (int k = 0; k <= i % 5; ++k) {
        text += "Inspectors stated the pier " + std::to_string(i * 7 + k) +
                " required urgent work before the winter storms. ";
      }
      const std::string line =
          nlohmann::json({{"id", "doc-" + std::to_string(i)}, {"text", text}}).dump();
      largest = std::max(largest, text.size());
      jsonl << line << "\n";
    }
  }
  auto scan = [&](uint64_t memory_bytes, const std::string& name) {
    const std::string out = (dir_ / name).string();
    ScanOptions options;
    options.threads = 3;
    options.memory_bytes = memory_bytes;
    Result<ScanSummary> summary = Scan(*checker_, {input.string()}, out, options);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return std::make_pair(Slurp(out), summary.ok() ? summary->errors : 0);
  };
  const auto [reference, reference_errors] = scan(kDefaultScanMemoryBytes, "default.jsonl");
  EXPECT_EQ(reference_errors, 0u);
  const auto [budgeted, budgeted_errors] = scan(largest, "budget.jsonl");
  EXPECT_EQ(budgeted, reference);
  EXPECT_EQ(budgeted_errors, 0u);

  // Below the largest record: those over it are refused, each on its line.
  const uint64_t small = largest - 1;
  const auto [refused, refused_errors] = scan(small, "small.jsonl");
  std::istringstream reference_lines(reference), lines(refused);
  std::string expected, line;
  ASSERT_TRUE(std::getline(reference_lines, expected));
  ASSERT_TRUE(std::getline(lines, line));  // the headers
  uint64_t errors = 0;
  while (std::getline(reference_lines, expected)) {
    ASSERT_TRUE(std::getline(lines, line));
    const nlohmann::json result = nlohmann::json::parse(line);
    if (result.contains("error")) {
      ++errors;
      EXPECT_NE(result["error"].get<std::string>().find("over the memory budget of " +
                                                        std::to_string(small) + " bytes"),
                std::string::npos)
          << line;
      EXPECT_EQ(result["id"], nlohmann::json::parse(expected)["id"]);
    } else {
      EXPECT_EQ(line, expected);
    }
  }
  EXPECT_FALSE(std::getline(lines, line));
  EXPECT_GE(errors, 1u);
  EXPECT_LT(errors, 24u);
  EXPECT_EQ(refused_errors, errors);
}

}  // namespace
}  // namespace unspin::pipeline
