// Tests of the learned channel: alignment (against a brute-force edit
// distance), substitution extraction on hand-made pairs, the learner's
// counts, TSV round trip, and the CHAN section (round trip, bad structure).
#include "unspin/channel/channel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>

namespace unspin::channel {
namespace {

std::vector<std::string> Words(std::string_view text) { return SplitWords(text).keys; }

std::vector<PhrasePair> Extract(std::string_view original, std::string_view spun) {
  TextWords a = SplitWords(original), b = SplitWords(spun);
  Result<std::vector<AlignStep>> steps = AlignWords(a.keys, b.keys);
  EXPECT_TRUE(steps.ok()) << steps.status().ToString();
  std::vector<PhrasePair> pairs;
  ExtractSubstitutions(a, b, *steps, &pairs, nullptr);
  return pairs;
}

PhrasePair Pair(std::string_view original, std::string_view spun) {
  return {Words(original), Words(spun)};
}

// Textbook Levenshtein distance by exhaustive recursion (memoised).
size_t ReferenceDistance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<int>> memo(a.size() + 1, std::vector<int>(b.size() + 1, -1));
  std::function<int(size_t, size_t)> d = [&](size_t i, size_t j) -> int {
    if (i == a.size()) return static_cast<int>(b.size() - j);
    if (j == b.size()) return static_cast<int>(a.size() - i);
    int& cell = memo[i][j];
    if (cell >= 0) return cell;
    cell = std::min({d(i + 1, j + 1) + (a[i] == b[j] ? 0 : 1), d(i + 1, j) + 1, d(i, j + 1) + 1});
    return cell;
  };
  return static_cast<size_t>(d(0, 0));
}

TEST(AlignWordsTest, MatchesBruteForceOnRandomSequences) {
  std::mt19937 rng(7);
  const std::vector<std::string> alphabet = {"a", "b", "c", "d"};
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<std::string> a(rng() % 9), b(rng() % 9);
    for (auto& w : a) w = alphabet[rng() % alphabet.size()];
    for (auto& w : b) w = alphabet[rng() % alphabet.size()];
    Result<std::vector<AlignStep>> steps = AlignWords(a, b);
    ASSERT_TRUE(steps.ok());
    size_t i = 0, j = 0, edits = 0;
    for (const AlignStep& step : *steps) {
      ASSERT_EQ(step.a, i);
      ASSERT_EQ(step.b, j);
      switch (step.op) {
        case AlignOp::kMatch:
          ASSERT_EQ(a[i], b[j]);
          ++i, ++j;
          break;
        case AlignOp::kSubstitute:
          ASSERT_NE(a[i], b[j]);
          ++i, ++j, ++edits;
          break;
        case AlignOp::kDelete:
          ++i, ++edits;
          break;
        case AlignOp::kInsert:
          ++j, ++edits;
          break;
      }
    }
    EXPECT_EQ(i, a.size());
    EXPECT_EQ(j, b.size());
    EXPECT_EQ(edits, ReferenceDistance(a, b)) << "trial " << trial;
  }
}

TEST(AlignWordsTest, RefusesAlignmentsOverTheMemoryBound) {
  std::vector<std::string> a(100, "x"), b(100, "y");
  Result<std::vector<AlignStep>> steps = AlignWords(a, b, 1000);
  ASSERT_FALSE(steps.ok());
  EXPECT_EQ(steps.status().code(), StatusCode::kResourceExhausted);
  // Common prefix and suffix do not count against the bound.
  a.insert(a.begin(), 500, "same");
  b.insert(b.begin(), 500, "same");
  EXPECT_TRUE(AlignWords(a, b, 101 * 101).ok());
}

// Over the bound, OverBound::kPositional aligns the middle position by
// position: every word once, in order, the common ends matched.
TEST(AlignWordsTest, PositionalOverTheMemoryBound) {
  std::vector<std::string> a = {"same", "x", "x", "x", "end"};
  std::vector<std::string> b = {"same", "y", "x", "end"};
  Result<std::vector<AlignStep>> steps = AlignWords(a, b, 4, OverBound::kPositional);
  ASSERT_TRUE(steps.ok()) << steps.status().ToString();
  // Prefix "same" and suffix "x end" matched; the middle "x x" / "y" by position.
  EXPECT_EQ(*steps, (std::vector<AlignStep>{{AlignOp::kMatch, 0, 0},
                                            {AlignOp::kSubstitute, 1, 1},
                                            {AlignOp::kDelete, 2, 2},
                                            {AlignOp::kMatch, 3, 2},
                                            {AlignOp::kMatch, 4, 3}}));
  // Within the bound the same call is the minimum alignment.
  Result<std::vector<AlignStep>> exact = AlignWords(a, b, 100, OverBound::kPositional);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, *AlignWords(a, b));
}

TEST(ExtractTest, PhraseSwapsBothWays) {
  EXPECT_EQ(Extract("Blinken says he failed to revive talks.",
                    "Blinken says he stopped working to revive talks."),
            std::vector<PhrasePair>{Pair("failed", "stopped working")});
  EXPECT_EQ(Extract("Despite the rain, they came.", "In spite of the rain, they came."),
            std::vector<PhrasePair>{Pair("despite", "in spite of")});
  EXPECT_EQ(
      Extract("It came within 150 yards of the ship.", "It came within 150 backyards of the ship."),
      std::vector<PhrasePair>{Pair("yards", "backyards")});
}

TEST(ExtractTest, InsertionIsAnchoredOnBothSides) {
  std::vector<PhrasePair> pairs = Extract("The U.S. had sanctioned Li Shangfu.",
                                          "The U.S. had actually sanctioned Li Shangfu.");
  EXPECT_EQ(pairs, (std::vector<PhrasePair>{Pair("had", "had actually"),
                                            Pair("sanctioned", "actually sanctioned")}));
  // A deletion likewise.
  EXPECT_EQ(Extract("He was very tired.", "He was tired."),
            (std::vector<PhrasePair>{Pair("was very", "was"), Pair("very tired", "tired")}));
}

TEST(ExtractTest, AnchorsStayInsideTheSentence) {
  EXPECT_EQ(Extract("He left. She stayed.", "He left. Actually she stayed."),
            std::vector<PhrasePair>{Pair("she", "actually she")});
}

TEST(ExtractTest, LongRegionsSplitOrSkip) {
  ExtractStats stats;
  TextWords a = SplitWords("one two three four five six"), b = SplitWords("1 2 3 4 five six");
  std::vector<PhrasePair> pairs;
  ExtractSubstitutions(a, b, *AlignWords(a.keys, b.keys), &pairs, &stats);
  EXPECT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0], Pair("one", "1"));
  EXPECT_EQ(stats.regions, 1u);
  EXPECT_EQ(stats.regions_used, 1u);
  // Four words for one: not a phrase pair, not splittable.
  a = SplitWords("we met a b c d e then"), b = SplitWords("we met x then");
  pairs.clear();
  ExtractSubstitutions(a, b, *AlignWords(a.keys, b.keys), &pairs, &stats);
  EXPECT_TRUE(pairs.empty());
  EXPECT_EQ(stats.regions_skipped, 1u);
}

// A term list teaches word swaps as well as the term: "huge information"
// for "big data" also says "huge" stands for "big". Running text does not:
// there two adjacent swaps are one rewording.
TEST(ExtractTest, TermsGiveTheirWordSwapsToo) {
  TextWords a = SplitWords("big data"), b = SplitWords("huge information");
  std::vector<PhrasePair> pairs;
  ExtractSubstitutions(a, b, *AlignWords(a.keys, b.keys), &pairs, nullptr, PairKind::kTerms);
  EXPECT_EQ(pairs, (std::vector<PhrasePair>{Pair("big data", "huge information"),
                                            Pair("big", "huge"), Pair("data", "information")}));
  pairs.clear();
  ExtractSubstitutions(a, b, *AlignWords(a.keys, b.keys), &pairs, nullptr, PairKind::kText);
  EXPECT_EQ(pairs, (std::vector<PhrasePair>{Pair("big data", "huge information")}));
  // One swap in a term is a word pair already; a reworded term of another
  // length has no word pairs to give.
  a = SplitWords("surface area"), b = SplitWords("surface region");
  pairs.clear();
  ExtractSubstitutions(a, b, *AlignWords(a.keys, b.keys), &pairs, nullptr, PairKind::kTerms);
  EXPECT_EQ(pairs, (std::vector<PhrasePair>{Pair("area", "region")}));
  a = SplitWords("cancer"), b = SplitWords("malignant growth");
  pairs.clear();
  ExtractSubstitutions(a, b, *AlignWords(a.keys, b.keys), &pairs, nullptr, PairKind::kTerms);
  EXPECT_EQ(pairs, (std::vector<PhrasePair>{Pair("cancer", "malignant growth")}));
}

TEST(ExtractTest, IdenticalTextsGiveNothingAndCaseIsFolded) {
  EXPECT_TRUE(Extract("Same words here.", "same WORDS here").empty());
}

TEST(ExtractTest, NoWordHoldsWhitespace) {
  // NFKC maps U+00A8 and U+037A to a space plus a combining mark.
  for (const std::string& key : Words("a\u00A8b c\u037A \u00A8")) {
    EXPECT_EQ(key.find(' '), std::string::npos) << key;
    EXPECT_FALSE(key.empty());
  }
  ChannelLearner learner;
  learner.AddPair("0|hchca2\u0356a2\u037A", "chca2\u0356\u037A\u037A");
  EXPECT_EQ(learner.Finish().rows().empty(), false);
}

TEST(LearnerTest, CountsSubstitutionsAndUnchangedOccurrences) {
  ChannelLearner learner;
  learner.AddPair("He failed. They failed again. We won.",
                  "He stopped working. They failed again. We won.");
  learner.AddPair("Despite this, it failed.", "In spite of this, it stopped working.");
  learner.AddPair("Nothing changed.", "Nothing changed.");
  EXPECT_EQ(learner.stats().pairs, 3u);
  EXPECT_EQ(learner.stats().pairs_aligned, 3u);
  EXPECT_EQ(learner.stats().identical, 1u);
  EXPECT_EQ(learner.stats().substitutions, 3u);
  ChannelTableBuilder table = learner.Finish();
  const auto& rows = table.rows();
  EXPECT_EQ(rows.at({"failed", "stopped working"}), 2u);
  EXPECT_EQ(rows.at({"failed", "failed"}), 1u);  // "They failed again"
  EXPECT_EQ(rows.at({"despite", "in spite of"}), 1u);
  EXPECT_EQ(rows.count({"despite", "despite"}), 0u);
  EXPECT_EQ(table.substitution_count(), 2u);
}

TEST(TsvTest, RoundTripsAndNormalisesPhrases) {
  ChannelTableBuilder table;
  ASSERT_TRUE(table
                  .ReadTsv("original\tspun\tcount\n# comment\n\nFailed\tStopped  Working\t3\n"
                           "failed\tfailed\t1\ndespite\tin spite of\t2\n",
                           "t.tsv")
                  .ok());
  EXPECT_EQ(table.rows().at({"failed", "stopped working"}), 3u);
  std::string tsv = table.ToTsv();
  EXPECT_EQ(tsv,
            "original\tspun\tcount\nfailed\tstopped working\t3\ndespite\tin spite of\t2\n"
            "failed\tfailed\t1\n");
  ChannelTableBuilder again;
  ASSERT_TRUE(again.ReadTsv(tsv, "again").ok());
  EXPECT_EQ(again.rows(), table.rows());
}

TEST(TsvTest, PruneDropsRareSubstitutionsAndTheirUnchangedRows) {
  ChannelTableBuilder table;
  ASSERT_TRUE(table
                  .ReadTsv("failed\tstopped working\t3\nfailed\tfailed\t1\nfailed\tbombed\t1\n"
                           "said\tstated\t1\nsaid\tsaid\t40\n",
                           "t")
                  .ok());
  EXPECT_EQ(table.Prune(2), 3u);
  EXPECT_EQ(table.ToTsv(),
            "original\tspun\tcount\nfailed\tstopped working\t3\nfailed\tfailed\t1\n");
  EXPECT_EQ(table.Prune(1), 0u);
}

TEST(TsvTest, BadRowsNameTheLine) {
  ChannelTableBuilder table;
  Status status = table.ReadTsv("a\tb\t1\na\tb\n", "x.tsv");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("x.tsv:2"), std::string::npos) << status.message();
  EXPECT_FALSE(table.ReadTsv("a\tb\tzero\n", "x").ok());
  EXPECT_FALSE(table.ReadTsv("a\tb\t0\n", "x").ok());
  EXPECT_FALSE(table.ReadTsv("a\t\t1\n", "x").ok());          // empty spun phrase
  EXPECT_FALSE(table.ReadTsv("a\tb c d e\t1\n", "x").ok());   // too long
  EXPECT_FALSE(table.ReadTsv("a\tb\xff\t1\n", "x").ok());     // bad UTF-8
  EXPECT_TRUE(table.ReadTsv("\tactually\t1\r\n", "x").ok());  // empty original: an insertion
}

class SectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(builder_
                    .ReadTsv("failed\tstopped working\t3\nfailed\tfailed\t1\n"
                             "quit\tstopped working\t1\ndespite\tin spite of\t2\n"
                             "yards\tbackyards\t5\nhad\thad actually\t1\nhad\thad\t999\n",
                             "t")
                    .ok());
    section_ = builder_.Serialize(&vocabulary_);
    // Sections live 64-byte aligned in a model file; copy into aligned memory.
    storage_.assign((section_.size() + 7) / 8, 0);
    std::memcpy(storage_.data(), section_.data(), section_.size());
  }
  std::string_view Bytes(size_t size) const {
    return std::string_view(reinterpret_cast<const char*>(storage_.data()), size);
  }
  std::vector<WordId> Ids(std::string_view phrase) {
    std::vector<WordId> ids;
    for (const std::string& word : Words(phrase)) ids.push_back(vocabulary_.Intern(word));
    return ids;
  }
  std::string Spell(std::span<const WordId> ids) {
    std::string text;
    for (WordId id : ids) {
      if (!text.empty()) text.push_back(' ');
      text.append(vocabulary_.Word(id));
    }
    return text;
  }

  ChannelTableBuilder builder_;
  VocabularyBuilder vocabulary_;
  std::string section_;
  std::vector<uint64_t> storage_;
};

TEST_F(SectionTest, RoundTrip) {
  Result<ChannelTable> table = ChannelTable::OpenSection(Bytes(section_.size()));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->phrase_count(), 4u);
  EXPECT_EQ(table->entry_count(), 5u);
  EXPECT_EQ(table->max_spun_words(), 3u);
  EXPECT_EQ(table->word_id_limit(), vocabulary_.size());

  std::span<const Candidate> found = table->Lookup(Ids("stopped working"));
  ASSERT_EQ(found.size(), 2u);
  // P(stopped working | quit) = 1 beats P(stopped working | failed) = 3/4.
  EXPECT_EQ(Spell(found[0].original), "quit");
  EXPECT_FLOAT_EQ(found[0].log10_prob, 0.0f);
  EXPECT_EQ(Spell(found[1].original), "failed");
  EXPECT_NEAR(found[1].log10_prob, std::log10(0.75), 1e-6);
  EXPECT_EQ(found[1].count, 3u);

  found = table->Lookup(Ids("had actually"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].log10_prob, std::log10(1.0 / 1000), 1e-6);
  EXPECT_EQ(Spell(table->Lookup(Ids("in spite of"))[0].original), "despite");

  EXPECT_TRUE(table->Lookup(Ids("failed")).empty());  // unchanged rows are not stored
  EXPECT_TRUE(table->Lookup(Ids("stopped")).empty());
  EXPECT_TRUE(table->Lookup({}).empty());
  EXPECT_TRUE(table->Lookup(Ids("a b c d")).empty());
  // Every phrase is found through the hash.
  for (size_t phrase = 0; phrase < table->phrase_count(); ++phrase) {
    std::span<const Candidate> by_hash = table->Lookup(table->SpunWords(phrase));
    EXPECT_EQ(by_hash.data(), table->Candidates(phrase).data());
  }
}

TEST_F(SectionTest, EmptyTable) {
  VocabularyBuilder vocabulary;
  std::string empty = ChannelTableBuilder().Serialize(&vocabulary);
  std::vector<uint64_t> aligned((empty.size() + 7) / 8);
  std::memcpy(aligned.data(), empty.data(), empty.size());
  Result<ChannelTable> table = ChannelTable::OpenSection(
      std::string_view(reinterpret_cast<const char*>(aligned.data()), empty.size()));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->phrase_count(), 0u);
  EXPECT_TRUE(table->Lookup(Ids("stopped working")).empty());
  EXPECT_TRUE(ChannelTable().Lookup(Ids("stopped working")).empty());
}

TEST_F(SectionTest, TruncationIsCorruption) {
  for (size_t size = 0; size < section_.size(); ++size) {
    Result<ChannelTable> table = ChannelTable::OpenSection(Bytes(size));
    ASSERT_FALSE(table.ok()) << size;
    EXPECT_EQ(table.status().code(), StatusCode::kCorruption) << size;
  }
}

TEST_F(SectionTest, DamagedFieldsAreCorruptionOrVersionMismatch) {
  auto open_with = [&](size_t offset, uint32_t value) {
    std::vector<uint64_t> copy = storage_;
    std::memcpy(reinterpret_cast<char*>(copy.data()) + offset, &value, sizeof value);
    return ChannelTable::OpenSection(
               std::string_view(reinterpret_cast<const char*>(copy.data()), section_.size()))
        .status()
        .code();
  };
  EXPECT_EQ(open_with(0, 2), StatusCode::kVersionMismatch);
  EXPECT_EQ(open_with(24, 1), StatusCode::kCorruption);  // word_id_limit below stored ids
  EXPECT_EQ(open_with(28, 9), StatusCode::kCorruption);  // max_spun_words
  EXPECT_EQ(open_with(32, 5), StatusCode::kCorruption);  // key_offsets[0]
  EXPECT_EQ(open_with(20, 3), StatusCode::kCorruption);  // slot count not a power of two
  // Every u32 set to a huge value: never a crash, always an error or a valid table.
  for (size_t offset = 0; offset + 4 <= section_.size(); offset += 4) {
    StatusCode code = open_with(offset, 0xFFFFFFF0u);
    EXPECT_TRUE(code == StatusCode::kOk || code == StatusCode::kCorruption ||
                code == StatusCode::kVersionMismatch)
        << offset;
  }
}

}  // namespace
}  // namespace unspin::channel
