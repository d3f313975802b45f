// End-to-end tests of `unspin channel learn --unsupervised` and `check
// --channel`: a batch spun by simulate's fixed dictionary is learned from
// without its originals, and the table restores what the spinner changed.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
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
