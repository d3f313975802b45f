#include "unspin/lm/arpa.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <vector>

#include "unspin/base/file.h"
#include "unspin/lm/kneser_ney.h"
#include "unspin/lm/ngram_model.h"

namespace unspin::lm {
namespace {

// A small Kneser-Ney model over words "a".."h".
BackoffLm TrainSmall(VocabularyBuilder* vocabulary, int order) {
  std::mt19937 rng(7);
  Result<NgramCounter> counter = NgramCounter::Create(order);
  EXPECT_TRUE(counter.ok());
  for (int s = 0; s < 200; ++s) {
    std::vector<WordId> sentence(1 + rng() % 6);
    for (WordId& word : sentence) {
      char letter = static_cast<char>('a' + std::min(rng() % 8, rng() % 8));
      word = vocabulary->Intern(std::string(1, letter));
    }
    EXPECT_TRUE(counter->AddSentence(sentence).ok());
  }
  Result<WindowCounts> counts = std::move(*counter).Finish();
  EXPECT_TRUE(counts.ok());
  Result<BackoffLm> lm = EstimateKneserNey(*counts, vocabulary->size());
  EXPECT_TRUE(lm.ok());
  return *lm;
}

std::string Section(const BackoffLm& lm) {
  NgramModelBuilder builder(lm.order);
  lm.AddTo(&builder);
  return builder.Serialize();
}

TEST(ArpaTest, RoundTripKeepsEveryScore) {
  VocabularyBuilder vocabulary;
  BackoffLm lm = TrainSmall(&vocabulary, 3);
  std::string text;
  AppendArpa(lm, vocabulary, &text);
  EXPECT_TRUE(text.starts_with("\\data\\\nngram 1=11\n")) << text.substr(0, 40);

  VocabularyBuilder read_vocabulary;
  Result<BackoffLm> read = ReadArpa(text, &read_vocabulary);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->order, 3);
  ASSERT_EQ(read_vocabulary.size(), vocabulary.size());
  for (int n = 1; n <= 3; ++n) EXPECT_EQ(read->ngrams[n - 1].size(), lm.ngrams[n - 1].size());

  std::string original_section = Section(lm), read_section = Section(*read);
  EXPECT_EQ(original_section, read_section);  // exact floats, same ids, same order
  Result<NgramModel> model = NgramModel::Open(read_section);
  ASSERT_TRUE(model.ok());
  Result<NgramModel> reference = NgramModel::Open(original_section);
  ASSERT_TRUE(reference.ok());
  for (uint32_t a = 1; a < vocabulary.size(); ++a) {
    for (uint32_t b = 3; b < vocabulary.size(); ++b) {
      LmState state = a == 1 ? model->BeginSentence() : model->NullContext();
      if (a != 1) model->Score(state, WordId{a}, &state);
      LmState out;
      for (uint32_t w = 0; w < vocabulary.size(); ++w) {
        LmState after_b;
        model->Score(state, WordId{b}, &after_b);
        EXPECT_EQ(model->Score(after_b, WordId{w}, &out),
                  reference->Score(after_b, WordId{w}, &out));
      }
    }
  }

  // The file writer produces the same text.
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("unspin_arpa_test_" + std::to_string(::getpid()) + ".arpa");
  ASSERT_TRUE(WriteArpa(lm, vocabulary, path.string()).ok());
  Result<std::string> written = ReadFileOrStdin(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, text);
}

TEST(ArpaTest, ReadsForeignSpacingAndComments) {
  std::string text =
      "written by hand\n\n\\data\\\nngram  1=     3\nngram 2=1\n\n\\1-grams:\n"
      "-1.0 <s> -0.5\r\n-0.5   </s>\n-0.3\tcat\t-0.1\n\n\\2-grams:\n-0.2 <s> cat\n\n\\end\\\n";
  VocabularyBuilder vocabulary;
  Result<BackoffLm> lm = ReadArpa(text, &vocabulary);
  ASSERT_TRUE(lm.ok()) << lm.status().ToString();
  EXPECT_EQ(lm->order, 2);
  ASSERT_EQ(lm->ngrams[0].size(), 3u);
  EXPECT_EQ(lm->ngrams[0][0].words[0], kSentenceBegin);
  EXPECT_FLOAT_EQ(lm->ngrams[0][0].log10_backoff, -0.5f);
  EXPECT_EQ(lm->ngrams[0][2].words[0], *vocabulary.Find("cat"));
  EXPECT_FLOAT_EQ(lm->ngrams[1][0].log10_prob, -0.2f);
}

TEST(ArpaTest, MalformedTextIsCorruptionWithTheLineNumber) {
  const std::string good_head = "\\data\\\nngram 1=2\nngram 2=1\n\n\\1-grams:\n";
  struct Case {
    std::string text;
    std::string expected;  // substring of the message
  };
  std::vector<Case> cases = {
      {"", "line 0: no \\data\\"},
      {"\\data\\\nngram one=2\n", "line 2: expected \"ngram N=COUNT\""},
      {"\\data\\\nngram 2=2\n", "line 2: expected the count of order 1"},
      {"\\data\\\n\\1-grams:\n", "line 2: no \"ngram N=COUNT\""},
      {good_head + "-1 a\n-x b\n", "line 7: bad probability \"-x\""},
      {good_head + "-1 a -0.5\n-1 b zz\n", "line 7: bad back-off weight \"zz\""},
      {good_head + "-1 a\n-1\n", "line 7: 1-gram section holds 2 lines"},
      {good_head + "-1 a\n-1 b\n\\2-grams:\n-1 a b -0.5\n\\end\\\n",
       "line 9: 2-gram section holds 1 lines"},
      {good_head + "-1 a\n-1 b\n-1 c\n\\2-grams:\n", "line 8: expected \"\\2-grams:\""},
      {good_head + "-1 a\n-1 b\n\\2-grams:\n-1 a b\n", "line 9: the text ends before \\end\\"},
      {good_head + "-1 a\n", "line 6: the text ends inside \\1-grams:"},
      {good_head + "-1 a\n-1 b\n\\2-grams:\n-1 a b\n-1 b a\n\\end\\\n",
       "line 10: expected \\end\\"},
  };
  for (const Case& c : cases) {
    VocabularyBuilder vocabulary;
    Result<BackoffLm> lm = ReadArpa(c.text, &vocabulary);
    ASSERT_FALSE(lm.ok()) << c.text;
    EXPECT_EQ(lm.status().code(), StatusCode::kCorruption) << c.text;
    EXPECT_NE(lm.status().message().find(c.expected), std::string::npos)
        << lm.status().message() << "\nwanted: " << c.expected;
  }
}

}  // namespace
}  // namespace unspin::lm
