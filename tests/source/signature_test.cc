// WordClasses and SampledShingles: what survives spinning, and containment.
#include "unspin/source/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "test_corpus.h"
#include "unspin/simulate/spinner.h"

namespace unspin::source {
namespace {

using testing::DefaultClasses;
using testing::DefaultModel;
using testing::Documents;

TEST(WordClassesTest, WordsWithOffsetsAndFunctionWords) {
  const std::string text = "The harbor, 150 yards away, closed in 2023.";
  ClassedText classed = DefaultClasses().Classify(text);
  std::vector<std::string> words;
  for (const ClassedWord& word : classed.words)
    words.push_back(text.substr(word.begin, word.end - word.begin));
  EXPECT_EQ(words, (std::vector<std::string>{"The", "harbor", "150", "yards", "away", "closed",
                                             "in", "2023"}));
  EXPECT_FALSE(classed.words[0].content);  // the
  EXPECT_TRUE(classed.words[1].content);   // harbor
  EXPECT_TRUE(classed.words[2].content);   // numbers survive spinning: they are evidence
  EXPECT_FALSE(classed.words[6].content);  // in
}

TEST(WordClassesTest, CaseAndInflectionDoNotChangeTheClass) {
  const WordClasses& classes = DefaultClasses();
  auto class_of = [&](const std::string& word) {
    return classes.Classify(word).words.at(0).word_class;
  };
  EXPECT_EQ(class_of("Harbor"), class_of("harbor"));
  EXPECT_EQ(class_of("yards"), class_of("yard"));
  EXPECT_EQ(class_of("declined"), class_of("declines"));
  EXPECT_NE(class_of("harbor"), class_of("election"));
  // Unknown words are their own class, distinct from each other.
  EXPECT_NE(class_of("Xqzvbw"), class_of("Wbvzqx"));
  EXPECT_EQ(class_of("Xqzvbw"), class_of("xqzvbw"));
}

TEST(WordClassesTest, FingerprintIsStable) {
  WordClasses again(DefaultModel());
  EXPECT_EQ(again.fingerprint(), DefaultClasses().fingerprint());
  EXPECT_NE(again.fingerprint(), 0u);
}

// The point of classes: many one-word swaps of a thesaurus spinner keep the
// class, where the word itself never survives.
TEST(WordClassesTest, ManyThesaurusSwapsKeepTheClass) {
  const WordClasses& classes = DefaultClasses();
  auto spinner = simulate::Spinner::Create(DefaultModel(), {simulate::Style::kThesaurus, 0.4, 7});
  ASSERT_TRUE(spinner.ok());
  size_t swaps = 0;
  size_t kept = 0;
  for (const testing::Document& document : Documents(20)) {
    auto spun = spinner->Spin(document.text);
    ASSERT_TRUE(spun.ok());
    for (const simulate::Change& change : spun->changes) {
      ClassedText original = classes.Classify(change.original);
      ClassedText replacement = classes.Classify(change.spun);
      if (original.words.size() != 1 || replacement.words.size() != 1) continue;
      ++swaps;
      if (original.words[0].word_class == replacement.words[0].word_class) ++kept;
    }
  }
  ASSERT_GT(swaps, 200u);
  EXPECT_GT(static_cast<double>(kept) / static_cast<double>(swaps), 0.25)
      << kept << " of " << swaps;
}

// An excerpt's sampled shingles are (almost all) the document's: containment.
TEST(SampledShinglesTest, ExcerptShinglesAreContainedInTheDocument) {
  const WordClasses& classes = DefaultClasses();
  for (const testing::Document& document : Documents(5)) {
    std::vector<uint64_t> whole;
    SampledShingles(classes.Classify(document.text), kDefaultSampleModulus, &whole);
    const std::string excerpt =
        document.text.substr(document.text.size() / 3, document.text.size() / 3);
    std::vector<uint64_t> part;
    SampledShingles(classes.Classify(excerpt), kDefaultSampleModulus, &part);
    ASSERT_FALSE(part.empty()) << document.id;
    const std::set<uint64_t> whole_set(whole.begin(), whole.end());
    size_t contained = 0;
    for (uint64_t key : part) contained += whole_set.contains(key) ? 1 : 0;
    // The cut may split a word at either end: two shingles at most differ.
    EXPECT_GE(contained + 2, part.size()) << document.id;
  }
}

// Counted over distinct shingles: sampling is a property of the hash, and a
// shingle a text repeats (its stock phrases) is one key.
TEST(SampledShinglesTest, SamplingKeepsAboutOneInModulus) {
  const WordClasses& classes = DefaultClasses();
  std::set<uint64_t> all;
  std::set<uint64_t> sampled;
  for (const testing::Document& document : Documents(30)) {
    ClassedText classed = classes.Classify(document.text);
    std::vector<uint64_t> every;
    std::vector<uint64_t> some;
    SampledShingles(classed, 1, &every);
    SampledShingles(classed, 4, &some);
    all.insert(every.begin(), every.end());
    sampled.insert(some.begin(), some.end());
    for (uint64_t key : some) EXPECT_EQ(key % 4, 0u);
  }
  ASSERT_GT(all.size(), 10000u);
  size_t expected_sampled = 0;
  for (uint64_t key : all) expected_sampled += key % 4 == 0 ? 1 : 0;
  EXPECT_EQ(sampled.size(), expected_sampled);
  EXPECT_NEAR(static_cast<double>(sampled.size()) / static_cast<double>(all.size()), 0.25, 0.02);
}

TEST(ClassCodesTest, CodesKeepClassesAndContentFlags) {
  const ClassedText classed =
      DefaultClasses().Classify("The harbor, 150 yards away, closed in Xqzvbw.");
  const std::vector<uint32_t> codes = ClassCodes(classed);
  ASSERT_EQ(codes.size(), classed.words.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    EXPECT_LT(classed.words[i].word_class, uint32_t{1} << 31);
    EXPECT_EQ(codes[i] & ~(uint32_t{1} << 31), classed.words[i].word_class) << i;
    EXPECT_EQ((codes[i] >> 31) != 0, classed.words[i].content) << i;
  }
}

TEST(SampledShinglesTest, EmptyAndOneWordTextsHaveNone) {
  std::vector<uint64_t> keys;
  SampledShingles(DefaultClasses().Classify(""), 1, &keys);
  SampledShingles(DefaultClasses().Classify("harbor"), 1, &keys);
  SampledShingles(DefaultClasses().Classify("the of and"), 1, &keys);
  EXPECT_TRUE(keys.empty());
}

}  // namespace
}  // namespace unspin::source
