// End-to-end tests of `unspin channel learn --unsupervised` and `check
// --channel`: a batch spun by simulate's fixed dictionary is learned from
// without its originals, and the table restores what the spinner changed.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_fixture.h"
#include "common/wordnet_text.h"

namespace unspin::cli_test {
namespace {

// Lower-cased runs of letters and digits.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words(1);
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
      words.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST_F(CliTest, UnsupervisedTableRestoresTheSpinnersSwaps) {
  // 300 paragraphs of WordNet's example sentences, spun with one dictionary.
  const std::vector<std::string>& examples = test_data::WordNetExamples();
  ASSERT_GE(examples.size(), 2400u);
  std::ofstream originals(dir_ / "originals.txt");
  for (size_t k = 0; k < 300; ++k) {
    for (size_t j = 0; j < 8; ++j) originals << (j > 0 ? " " : "") << examples[k * 8 + j];
    originals << "\n";
  }
  originals.close();
  const std::string spun_path = (dir_ / "spun.txt").string();
  Outcome spin = Unspin("simulate --style thesaurus --consistent --rate 0.25 --lines " +
                        (dir_ / "originals.txt").string());
  ASSERT_EQ(spin.exit_code, 0) << spin.err;
  std::ofstream(spun_path) << spin.out;

  const std::string table = (dir_ / "table.tsv").string();
  Outcome learn = Unspin("channel learn --unsupervised --lines -o " + table + " " + spun_path);
  ASSERT_EQ(learn.exit_code, 0) << learn.err;
  EXPECT_NE(learn.err.find("300 texts (0 duplicates, 0 skipped)"), std::string::npos) << learn.err;
  const std::string tsv = Slurp(table);
  EXPECT_EQ(tsv.rfind("original\tspun\tcount\n", 0), 0u) << tsv;
  EXPECT_NE(tsv.find("\n# evidence\toriginal\tspun\tpreferred\t"), std::string::npos) << tsv;

  // Restored with the table, fewer of the originals' words are missing (as a
  // multiset per line: the spinner swaps words in place).
  const std::vector<std::string> original_lines = Lines(Slurp(dir_ / "originals.txt"));
  auto missing_words = [&](const std::string& text) {
    std::vector<std::string> lines = Lines(text);
    size_t missing = 0;
    for (size_t k = 0; k < lines.size() && k < original_lines.size(); ++k) {
      std::map<std::string, int> words;
      for (const std::string& word : Words(original_lines[k])) ++words[word];
      for (const std::string& word : Words(lines[k])) --words[word];
      for (const auto& [word, count] : words) missing += count > 0 ? count : 0;
    }
    return missing;
  };
  Outcome plain = Unspin("restore --lines " + spun_path);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  Outcome with_table = Unspin("restore --lines --channel " + table + " " + spun_path);
  ASSERT_EQ(with_table.exit_code, 0) << with_table.err;
  const size_t spun_missing = missing_words(Slurp(spun_path));
  EXPECT_LT(missing_words(with_table.out) * 10, missing_words(plain.out) * 9)
      << "spun " << spun_missing << ", restored " << missing_words(plain.out) << ", with the table "
      << missing_words(with_table.out);
  // check takes the table too.
  Outcome check = Unspin("check --json --channel " + table, Lines(Slurp(spun_path))[0]);
  EXPECT_EQ(check.exit_code, 0) << check.err;

  // The same batch as JSONL records, through the reader every verb shares.
  std::ofstream jsonl(dir_ / "spun.jsonl");
  size_t id = 0;
  for (const std::string& line : Lines(Slurp(spun_path))) {
    std::string escaped;
    for (char c : line) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    jsonl << "{\"id\": " << id++ << ", \"text\": \"" << escaped << "\"}\n";
  }
  jsonl.close();
  Outcome records = Unspin("channel learn --unsupervised -o - " + (dir_ / "spun.jsonl").string());
  ASSERT_EQ(records.exit_code, 0) << records.err;
  EXPECT_EQ(records.out, tsv);
}

// scan --adapt: a crawl of a farm (spun with one dictionary) and a newsroom
// (originals); the farm's swaps are learned and used on its pages only.
TEST_F(CliTest, ScanAdaptLearnsEachSitesSpinner) {
  const std::vector<std::string>& examples = test_data::WordNetExamples();
  ASSERT_GE(examples.size(), 4800u);
  std::vector<std::string> paragraphs;
  for (size_t k = 0; k < 600; ++k) {
    std::string paragraph;
    for (size_t j = 0; j < 8; ++j) paragraph += (j > 0 ? " " : "") + examples[k * 8 + j];
    paragraphs.push_back(std::move(paragraph));
  }
  std::ofstream originals(dir_ / "originals.txt");
  for (const std::string& paragraph : paragraphs) originals << paragraph << "\n";
  originals.close();
  Outcome spin = Unspin("simulate --style thesaurus --consistent --lines " +
                        (dir_ / "originals.txt").string());
  ASSERT_EQ(spin.exit_code, 0) << spin.err;
  const std::vector<std::string> spun = Lines(spin.out);
  ASSERT_EQ(spun.size(), paragraphs.size());
  std::ofstream crawl(dir_ / "crawl.jsonl");
  for (size_t k = 0; k < paragraphs.size(); ++k) {
    const bool farm = k % 2 == 0;
    nlohmann::json line = {
        {"url",
         std::string(farm ? "http://farm.example/" : "http://news.example/") + std::to_string(k)},
        {"text", farm ? spun[k] : paragraphs[k]}};
    crawl << line.dump() << "\n";
  }
  crawl.close();
  const std::string input = (dir_ / "crawl.jsonl").string();
  const std::string out = (dir_ / "results.jsonl").string();
  const std::string summary = (dir_ / "summary.json").string();
  Outcome scan =
      Unspin("scan --adapt --threads 2 --out " + out + " --summary " + summary + " " + input);
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_NE(scan.err.find("site farm.example: 300 documents, "), std::string::npos) << scan.err;
  nlohmann::json sites = nlohmann::json::parse(Slurp(summary))["sites"];
  ASSERT_EQ(sites.size(), 2u) << sites.dump();
  EXPECT_EQ(sites[0]["site"], "farm.example");
  EXPECT_GE(sites[0]["substitutions"].size(), 5u);
  EXPECT_LE(sites[1]["substitutions"].size(), 2u);

  // The farm's pages get more restored spans than a scan without --adapt gives them.
  const std::string plain_out = (dir_ / "plain.jsonl").string();
  Outcome plain = Unspin("scan --threads 2 --out " + plain_out + " " + input);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto farm_spans = [](const std::string& results) {
    size_t spans = 0;
    for (const std::string& line : Lines(results)) {
      nlohmann::json result = nlohmann::json::parse(line);
      if (result.contains("url") && result["url"].get<std::string>().starts_with("http://farm")) {
        spans += result["top_spans"].size();
      }
    }
    return spans;
  };
  EXPECT_GT(farm_spans(Slurp(out)), farm_spans(Slurp(plain_out)) + 50);

  // Resumable: the same command finds every result in place.
  Outcome again = Unspin("scan --adapt --threads 2 --out " + out + " " + input);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("600 resumed"), std::string::npos) << again.err;
  // The header records the adaptation: without it the file is another scan's.
  EXPECT_EQ(Unspin("scan --threads 2 --out " + out + " " + input).exit_code, 1);
  EXPECT_EQ(
      Unspin("scan --site-field site --out " + (dir_ / "x.jsonl").string() + " " + input).exit_code,
      1);
}

TEST_F(CliTest, UnsupervisedLearningRefusesBadInput) {
  std::ofstream(dir_ / "one.txt") << "The minister stated that the talks had gone well.\n";
  Outcome one = Unspin("channel learn --unsupervised --lines " + (dir_ / "one.txt").string());
  EXPECT_EQ(one.exit_code, 2) << one.err;
  EXPECT_NE(one.err.find("too small to learn a spinner from: 1 distinct texts"), std::string::npos)
      << one.err;
  Outcome missing = Unspin("channel learn --unsupervised " + (dir_ / "missing.txt").string());
  EXPECT_EQ(missing.exit_code, 4) << missing.err;
  Outcome empty = Unspin("channel learn --unsupervised --lines -");
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_EQ(Unspin("channel learn --unsupervised --pairs " + (dir_ / "one.txt").string()).exit_code,
            1);
  EXPECT_EQ(Unspin("channel learn --lines " + (dir_ / "one.txt").string() + " x").exit_code, 1);

  Outcome no_table = Unspin("check --channel " + (dir_ / "missing.tsv").string(), "Some text.");
  EXPECT_EQ(no_table.exit_code, 4) << no_table.err;
  std::ofstream(dir_ / "bad.tsv") << "said\tstated\tmany\n";
  Outcome bad_table = Unspin("check --channel " + (dir_ / "bad.tsv").string(), "Some text.");
  EXPECT_EQ(bad_table.exit_code, 2) << bad_table.err;
  EXPECT_NE(bad_table.err.find("bad.tsv:1"), std::string::npos) << bad_table.err;
}

}  // namespace
}  // namespace unspin::cli_test
