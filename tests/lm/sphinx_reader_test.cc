// Checks our sphinx trie reader + NgramModel against sphinxbase itself
// (libsphinxbase is a test-only dependency) on pocketsphinx's en-us model.
#include "unspin/lm/sphinx_reader.h"

#include <gtest/gtest.h>
#include <sphinxbase/logmath.h>
#include <sphinxbase/ngram_model.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/wordnet_text.h"
#include "unspin/lm/ngram_model.h"

namespace unspin::lm {
namespace {

constexpr const char* kSphinxLm = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";

uint32_t Next(std::mt19937& rng) { return static_cast<uint32_t>(rng()); }

// Sentences of lower-cased words: every `stride`th example sentence of
// WordNet (tests/common/wordnet_text.h), split on what is not a letter or an
// apostrophe inside a word.
std::vector<std::vector<std::string>> CorpusSentences(size_t stride) {
  std::vector<std::vector<std::string>> sentences;
  const std::vector<std::string>& examples = test_data::WordNetExamples();
  for (size_t i = 0; i < examples.size(); i += stride) {
    std::vector<std::string> sentence;
    std::string word;
    auto flush_word = [&] {
      if (!word.empty()) sentence.push_back(word);
      word.clear();
    };
    for (char c : examples[i]) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c == '\'' && !word.empty())) {
        word += c;
      } else {
        flush_word();
      }
    }
    flush_word();
    if (!sentence.empty()) sentences.push_back(std::move(sentence));
  }
  return sentences;
}

class LmSphinxReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(kSphinxLm)) return;
    vocab_ = new VocabularyBuilder();
    auto start = std::chrono::steady_clock::now();
    Result<NgramModelBuilder> builder = ReadSphinxTrieLm(kSphinxLm, vocab_);
    ASSERT_TRUE(builder.ok()) << builder.status().ToString();
    auto read = std::chrono::steady_clock::now();
    section_ = new std::string(builder->Serialize());
    auto serialized = std::chrono::steady_clock::now();
    for (int n = 1; n <= 3; ++n) added_[n] = builder->count(n);
    Result<NgramModel> model = NgramModel::Open(*section_);
    auto opened = std::chrono::steady_clock::now();
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = new NgramModel(*model);
    using Ms = std::chrono::duration<double, std::milli>;
    std::printf("sphinx LM: read %.0f ms, serialize %.0f ms, Open %.4f ms, section %zu bytes\n",
                Ms(read - start).count(), Ms(serialized - read).count(),
                Ms(opened - serialized).count(), section_->size());

    lmath_ = logmath_init(1.0001, 0, 0);
    sphinx_ = ngram_model_read(nullptr, kSphinxLm, NGRAM_AUTO, lmath_);
    ASSERT_NE(sphinx_, nullptr);
  }
  static void TearDownTestSuite() {
    if (sphinx_ != nullptr) ngram_model_free(sphinx_);  // frees lmath_ too
    delete model_;
    delete section_;
    delete vocab_;
    sphinx_ = nullptr;
    model_ = nullptr;
    section_ = nullptr;
    vocab_ = nullptr;
  }
  void SetUp() override {
    if (model_ == nullptr) GTEST_SKIP() << kSphinxLm << " is not installed";
  }

  // sphinxbase's log10 P(word | history), history most recent first.
  static double SphinxLog10(const std::string& word, const std::vector<std::string>& history) {
    std::vector<int32_t> ids;
    for (const std::string& h : history) ids.push_back(ngram_wid(sphinx_, h.c_str()));
    int32_t n_used = 0;
    int32_t score = ngram_ng_score(sphinx_, ngram_wid(sphinx_, word.c_str()), ids.data(),
                                   static_cast<int32_t>(ids.size()), &n_used);
    return logmath_log_to_log10(lmath_, score);
  }
  static double OurLog10(const std::string& word, const std::vector<std::string>& history) {
    LmState state;
    for (size_t i = 0; i < history.size(); ++i) state.context[i] = *vocab_->Find(history[i]);
    state.length = static_cast<uint8_t>(history.size());
    LmState out;
    return model_->Score(state, *vocab_->Find(word), &out);
  }
  static bool Known(const std::string& word) {
    return ngram_wid(sphinx_, word.c_str()) != NGRAM_INVALID_WID;
  }

  struct Stats {
    double max_abs_diff = 0;
    int queries = 0;
    void Add(double ours, double theirs) {
      max_abs_diff = std::max(max_abs_diff, std::abs(ours - theirs));
      ++queries;
    }
  };

  static inline VocabularyBuilder* vocab_ = nullptr;
  static inline std::string* section_ = nullptr;
  static inline NgramModel* model_ = nullptr;
  static inline uint64_t added_[4] = {};
  static inline logmath_t* lmath_ = nullptr;
  static inline ngram_model_t* sphinx_ = nullptr;
};

constexpr double kTolerance = 1e-3;

TEST_F(LmSphinxReaderTest, CountsMatchTheFile) {
  EXPECT_EQ(model_->order(), 3);
  EXPECT_EQ(added_[1], 72547u);
  // The header counts (2,051,547 and 1,669,625) include a few unreachable
  // records; the trie holds slightly fewer n-grams.
  EXPECT_GT(added_[2], 2'000'000u);
  EXPECT_LE(added_[2], 2'051'547u);
  EXPECT_GT(added_[3], 1'600'000u);
  EXPECT_LE(added_[3], 1'669'625u);
  std::printf("n-grams: %llu unigrams, %llu bigrams, %llu trigrams; stored %llu/%llu/%llu\n",
              static_cast<unsigned long long>(added_[1]),
              static_cast<unsigned long long>(added_[2]),
              static_cast<unsigned long long>(added_[3]),
              static_cast<unsigned long long>(model_->NgramCount(1)),
              static_cast<unsigned long long>(model_->NgramCount(2)),
              static_cast<unsigned long long>(model_->NgramCount(3)));
  EXPECT_EQ(vocab_->Find("<s>"), kSentenceBegin);
  EXPECT_EQ(vocab_->Find("</s>"), kSentenceEnd);
}

TEST_F(LmSphinxReaderTest, RandomUnigramsBigramsTrigramsMatchSphinxbase) {
  std::vector<std::string> words;
  for (size_t id = 0; id < vocab_->size(); ++id) {
    std::string word(vocab_->Word(WordId{static_cast<uint32_t>(id)}));
    if (Known(word)) words.push_back(word);
  }
  ASSERT_GT(words.size(), 70000u);
  std::mt19937 rng(42);
  auto pick = [&] { return words[Next(rng) % words.size()]; };
  Stats stats;
  for (int q = 0; q < 4000; ++q) {
    std::string w = pick();
    stats.Add(OurLog10(w, {}), SphinxLog10(w, {}));
    std::string h1 = pick(), h2 = pick();
    stats.Add(OurLog10(w, {h1}), SphinxLog10(w, {h1}));
    stats.Add(OurLog10(w, {h1, h2}), SphinxLog10(w, {h1, h2}));
    ASSERT_LT(stats.max_abs_diff, kTolerance) << w << " | " << h1 << " " << h2;
  }
  std::printf("random n-grams: %d queries, max |diff| %.3g log10\n", stats.queries,
              stats.max_abs_diff);
}

TEST_F(LmSphinxReaderTest, CorpusNgramsMatchSphinxbase) {
  std::vector<std::vector<std::string>> sentences = CorpusSentences(10);
  ASSERT_GT(sentences.size(), 500u);
  std::mt19937 rng(7);
  Stats stats;
  for (const std::vector<std::string>& sentence : sentences) {
    for (size_t i = 0; i < sentence.size(); ++i) {
      const std::string& w = sentence[i];
      if (!Known(w)) continue;
      std::vector<std::string> history;
      for (size_t j = i; j > 0 && history.size() < 2 && Known(sentence[j - 1]); --j) {
        history.push_back(sentence[j - 1]);
      }
      stats.Add(OurLog10(w, history), SphinxLog10(w, history));
      if (!history.empty()) {
        // Same history, a random word: mostly unseen, so backing off.
        std::string other(vocab_->Word(WordId{3 + static_cast<uint32_t>(Next(rng) % 72000)}));
        if (Known(other)) stats.Add(OurLog10(other, history), SphinxLog10(other, history));
      }
      ASSERT_LT(stats.max_abs_diff, kTolerance) << w;
    }
  }
  EXPECT_GT(stats.queries, 10000);
  std::printf("corpus n-grams: %d queries, max |diff| %.3g log10\n", stats.queries,
              stats.max_abs_diff);
}

TEST_F(LmSphinxReaderTest, SentencesWithMinimalStatesMatchSphinxbase) {
  std::vector<std::vector<std::string>> sentences = CorpusSentences(10);
  Stats tokens;
  Stats totals;
  int scored_sentences = 0;
  for (const std::vector<std::string>& sentence : sentences) {
    if (!std::all_of(sentence.begin(), sentence.end(), Known)) continue;
    LmState state = model_->BeginSentence();
    std::vector<std::string> history = {"<s>"};  // most recent first
    double ours_total = 0, theirs_total = 0;
    for (const std::string& w : sentence) {
      double ours = model_->Score(state, *vocab_->Find(w), &state);
      double theirs = SphinxLog10(w, history);
      tokens.Add(ours, theirs);
      ours_total += ours;
      theirs_total += theirs;
      history.insert(history.begin(), w);
      if (history.size() > 2) history.pop_back();
    }
    double ours_end = model_->EndSentenceScore(state);
    double theirs_end = SphinxLog10("</s>", history);
    tokens.Add(ours_end, theirs_end);
    totals.Add(ours_total + ours_end, theirs_total + theirs_end);
    ++scored_sentences;
    ASSERT_LT(tokens.max_abs_diff, kTolerance);
    // Per-token differences (at most one sphinxbase log unit, 4.3e-5) add up.
    ASSERT_NEAR(ours_total + ours_end, theirs_total + theirs_end,
                kTolerance * static_cast<double>(sentence.size() + 1))
        << ::testing::PrintToString(sentence);
  }
  EXPECT_GT(scored_sentences, 300);
  std::printf("sentences: %d (%d tokens), max |diff| per token %.3g, per sentence %.3g log10\n",
              scored_sentences, tokens.queries, tokens.max_abs_diff, totals.max_abs_diff);
}

TEST(LmSphinxReaderErrorsTest, MissingFileIsNotFound) {
  VocabularyBuilder vocab;
  Result<NgramModelBuilder> builder = ReadSphinxTrieLm("/nonexistent/model.lm.bin", &vocab);
  EXPECT_EQ(builder.status().code(), StatusCode::kNotFound);
}

TEST(LmSphinxReaderErrorsTest, BadHeaderAndTruncationAreCorruption) {
  if (!std::filesystem::exists(kSphinxLm)) GTEST_SKIP() << kSphinxLm << " is not installed";
  std::ifstream in(kSphinxLm, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  std::string path = std::string(UNSPIN_BINARY_DIR) + "/lm_test_truncated.lm.bin";
  for (size_t size : {size_t{0}, size_t{10}, size_t{19}, size_t{25}, size_t{4096}}) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(head.data(), static_cast<std::streamsize>(size));
    }
    VocabularyBuilder vocab;
    Result<NgramModelBuilder> builder = ReadSphinxTrieLm(path, &vocab);
    EXPECT_EQ(builder.status().code(), StatusCode::kCorruption) << size;
    if (size == 4096) {
      EXPECT_NE(builder.status().message().find("byte"), std::string::npos);
    }
  }
  std::string bad = head;
  bad[0] = 'X';
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bad.data(), static_cast<std::streamsize>(bad.size()));
  }
  VocabularyBuilder vocab;
  EXPECT_EQ(ReadSphinxTrieLm(path, &vocab).status().code(), StatusCode::kCorruption);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace unspin::lm
