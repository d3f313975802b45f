// Tests of document pairing for `unspin channel learn`.
#include "unspin/pipeline/channel_learn.h"

#include <gtest/gtest.h>

#include "unspin/base/file.h"

namespace unspin::pipeline {
namespace {

TEST(ReadDocumentPairsTest, PlainLinesPairByLineNumber) {
  uint64_t unmatched = 7;
  Result<std::vector<EvalPair>> pairs =
      ReadDocumentPairs("one failed\n\nthree\n", "one stopped working\n\nthree\n", &unmatched);
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].spun, "one stopped working");
  EXPECT_EQ((*pairs)[1].id, "3");
  EXPECT_EQ(unmatched, 0u);
  Result<std::vector<EvalPair>> uneven = ReadDocumentPairs("a\nb\n", "a\n", nullptr);
  EXPECT_EQ(uneven.status().code(), StatusCode::kInvalidArgument);
  Result<std::vector<EvalPair>> bad = ReadDocumentPairs("a\n", "\xff\n", nullptr);
  EXPECT_NE(bad.status().message().find("copies line 1"), std::string::npos);
}

TEST(ReadDocumentPairsTest, JsonlPairsById) {
  uint64_t unmatched = 0;
  Result<std::vector<EvalPair>> pairs = ReadDocumentPairs(
      "{\"id\": 1, \"text\": \"He failed.\"}\n{\"id\": \"b\", \"text\": \"Despite it.\"}\n",
      "{\"id\": \"b\", \"text\": \"In spite of it.\"}\n\n{\"id\": 9, \"text\": \"x\"}\n"
      "{\"id\": 1, \"text\": \"He stopped working.\"}\n",
      &unmatched);
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].original, "Despite it.");
  EXPECT_EQ((*pairs)[1].spun, "He stopped working.");
  EXPECT_EQ(unmatched, 1u);
  Result<std::vector<EvalPair>> duplicate =
      ReadDocumentPairs("{\"id\": 1, \"text\": \"a\"}\n{\"id\": 1, \"text\": \"b\"}\n",
                        "{\"id\": 1, \"text\": \"c\"}\n", nullptr);
  EXPECT_NE(duplicate.status().message().find("originals line 2"), std::string::npos);
  Result<std::vector<EvalPair>> no_id =
      ReadDocumentPairs("{\"id\": 1, \"text\": \"a\"}\n", "{\"text\": \"c\"}\n", nullptr);
  EXPECT_EQ(no_id.status().code(), StatusCode::kInvalidArgument);
}

// Issue 17: a line nested too deep is a bad line, named, in either file.
TEST(ReadDocumentPairsTest, DeeplyNestedLinesAreRefused) {
  const std::string deep = "{\"id\": 2, \"text\": \"b\", \"x\": " + std::string(70000, '{') + "}";
  Result<std::vector<EvalPair>> pairs = ReadDocumentPairs(
      "{\"id\": 1, \"text\": \"a\"}\n" + deep + "\n", "{\"id\": 1, \"text\": \"c\"}\n", nullptr);
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().message(), "originals line 2: JSON nested deeper than 512 levels");
  pairs = ReadDocumentPairs("{\"id\": 1, \"text\": \"a\"}\n", deep + "\n", nullptr);
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().message(), "copies line 1: JSON nested deeper than 512 levels");
}

// A curated list as users keep it: a header, notes in parentheses, extra
// columns, comments.
TEST(ReadPhraseListTest, ReadsTheFirstTwoFieldsWithoutNotes) {
  Result<std::vector<EvalPair>> pairs = ReadPhraseList(
      "tortured\texpected\tfield\n"
      "# from a review\n"
      "huge information\tbig data\tcomputing\n"
      "\n"
      "feedback processing\tback propagation (BP)\n");
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].spun, "huge information");
  EXPECT_EQ((*pairs)[0].original, "big data");
  EXPECT_EQ((*pairs)[1].original, "back propagation");
  EXPECT_EQ((*pairs)[1].id, "5");
  // Without a header the first line is a term.
  pairs = ReadPhraseList("profound learning\tdeep learning\n");
  ASSERT_TRUE(pairs.ok());
  EXPECT_EQ(pairs->size(), 1u);
}

TEST(ReadPhraseListTest, BadLinesAreNamed) {
  Result<std::vector<EvalPair>> pairs = ReadPhraseList("a\tb\nno tab here\n");
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().message(),
            "phrase list line 2: expected a phrase, a tab and the phrase it stands for");
  pairs = ReadPhraseList("a\t(note only)\n");
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().message(), "phrase list line 1: empty phrase");
  pairs = ReadPhraseList("a\t\xff\n");
  EXPECT_EQ(pairs.status().code(), StatusCode::kInvalidArgument);
}

// What the list teaches about one term's words carries over to another.
TEST(LearnChannelTest, TermsTeachWordSwaps) {
  Result<std::vector<EvalPair>> pairs =
      ReadPhraseList("huge information\tbig data\nneural organization\tneural network\n");
  ASSERT_TRUE(pairs.ok());
  const std::string path = ::testing::TempDir() + "/terms.tsv";
  ChannelLearnOptions options;
  options.kind = channel::PairKind::kTerms;
  Result<ChannelLearnReport> report = LearnChannel(*pairs, path, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  Result<std::string> table = ReadRegularFile(path);
  ASSERT_TRUE(table.ok());
  EXPECT_NE(table->find("big\thuge\t1"), std::string::npos) << *table;
  EXPECT_NE(table->find("data\tinformation\t1"), std::string::npos) << *table;
  EXPECT_NE(table->find("network\torganization\t1"), std::string::npos) << *table;
  EXPECT_EQ(report->distinct_substitutions, 4u);
}

}  // namespace
}  // namespace unspin::pipeline
