#include "unspin/lm/kneser_ney.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "unspin/lm/ngram_model.h"

namespace unspin::lm {
namespace {

using Gram = std::vector<uint32_t>;
constexpr uint32_t kBos = 1;
constexpr uint32_t kEos = 2;

// Interpolated modified Kneser-Ney computed straight from the definition
// (Chen & Goodman 1998) over raw n-gram counts of every order: the reference
// for the estimator's back-off form.
class ReferenceKneserNey {
 public:
  ReferenceKneserNey(const std::vector<Gram>& sentences, int order, size_t vocabulary_size)
      : order_(order), vocabulary_size_(vocabulary_size) {
    for (const Gram& sentence : sentences) {
      if (sentence.empty()) continue;
      Gram padded = {kBos};
      padded.insert(padded.end(), sentence.begin(), sentence.end());
      padded.push_back(kEos);
      for (size_t end = 1; end < padded.size(); ++end) {
        for (int n = 1; n <= order && static_cast<size_t>(n) <= end + 1; ++n) {
          raw_[Gram(padded.begin() + (end + 1 - n), padded.begin() + end + 1)]++;
        }
      }
    }
    for (int n = 1; n <= order; ++n) {
      std::array<double, 4> t{};
      for (const auto& [gram, count] : raw_) {
        if (static_cast<int>(gram.size()) != n) continue;
        double a = static_cast<double>(Adjusted(gram));
        if (a >= 1 && a <= 4) ++t[static_cast<size_t>(a) - 1];
      }
      std::array<double, 3> d = {0.5, 1.0, 1.5};
      if (t[0] > 0 && t[1] > 0 && t[2] > 0) {
        double y = double(t[0]) / (t[0] + 2.0 * t[1]);
        std::array<double, 3> c = {1 - 2 * y * t[1] / t[0], 2 - 3 * y * t[2] / t[1],
                                   3 - 4 * y * t[3] / t[2]};
        if (c[0] > 0 && c[0] <= 1 && c[1] > 0 && c[1] <= 2 && c[2] > 0 && c[2] <= 3) d = c;
      }
      discounts_[n - 1] = d;
    }
  }

  uint64_t Adjusted(const Gram& gram) const {
    auto it = raw_.find(gram);
    if (it == raw_.end()) return 0;
    if (static_cast<int>(gram.size()) == order_ || gram[0] == kBos) return it->second;
    uint64_t left = 0;
    for (const auto& [other, count] : raw_) {
      if (other.size() == gram.size() + 1 &&
          std::equal(gram.begin(), gram.end(), other.begin() + 1))
        ++left;
    }
    return left;
  }

  double D(int n, double a) const {
    return a == 0 ? 0 : discounts_[n - 1][static_cast<size_t>(std::min(a, 3.0)) - 1];
  }

  // p(w | history), history oldest first.
  double Prob(const Gram& history, uint32_t word) const {
    int n = static_cast<int>(history.size()) + 1;
    double total = 0, gamma_numerator = 0;
    for (uint32_t x = 0; x < vocabulary_size_; ++x) {
      Gram gram = history;
      gram.push_back(x);
      double a = static_cast<double>(Adjusted(gram));
      total += a;
      gamma_numerator += D(n, a);
    }
    if (history.empty()) {
      Gram gram = {word};
      double a = static_cast<double>(Adjusted(gram));
      return (a - D(1, a)) / total +
             gamma_numerator / total / static_cast<double>(vocabulary_size_ - 1);
    }
    Gram shorter(history.begin() + 1, history.end());
    double lower = Prob(shorter, word);
    if (total == 0) return lower;
    Gram gram = history;
    gram.push_back(word);
    double a = static_cast<double>(Adjusted(gram));
    return (a - D(n, a)) / total + gamma_numerator / total * lower;
  }

 private:
  int order_;
  size_t vocabulary_size_;
  std::map<Gram, uint64_t> raw_;
  std::array<std::array<double, 3>, kMaxOrder> discounts_{};
};

std::vector<Gram> RandomCorpus(uint32_t seed, size_t vocabulary_size, int sentences) {
  std::mt19937 rng(seed);
  std::vector<Gram> corpus;
  for (int s = 0; s < sentences; ++s) {
    Gram sentence(1 + rng() % 7);
    for (uint32_t& word : sentence) {
      // Skewed towards small ids, so that counts of 1..4 all occur.
      auto a = static_cast<uint32_t>(rng() % (vocabulary_size - 3));
      auto b = static_cast<uint32_t>(rng() % (vocabulary_size - 3));
      word = 3 + std::min(a, b);
    }
    corpus.push_back(sentence);
  }
  return corpus;
}

NgramModel Train(const std::vector<Gram>& corpus, int order, size_t vocabulary_size,
                 std::string* section, KneserNeyReport* report = nullptr,
                 KneserNeyOptions options = {}) {
  Result<NgramCounter> counter = NgramCounter::Create(order);
  EXPECT_TRUE(counter.ok());
  for (const Gram& sentence : corpus) {
    std::vector<WordId> words;
    for (uint32_t w : sentence) words.push_back(WordId{w});
    EXPECT_TRUE(counter->AddSentence(words).ok());
  }
  Result<WindowCounts> finished = std::move(*counter).Finish();
  EXPECT_TRUE(finished.ok());
  WindowCounts counts = std::move(*finished);
  Result<BackoffLm> lm = EstimateKneserNey(counts, vocabulary_size, options, report);
  EXPECT_TRUE(lm.ok()) << lm.status().ToString();
  NgramModelBuilder builder(order);
  lm->AddTo(&builder);
  *section = builder.Serialize();
  Result<NgramModel> model = NgramModel::Open(*section);
  EXPECT_TRUE(model.ok());
  return *model;
}

// Every history of up to order-1 words from `words`, plus the ones that start
// with <s>.
std::vector<Gram> Histories(int order, uint32_t vocabulary_size) {
  std::vector<Gram> histories = {{}};
  std::vector<Gram> frontier = {{}};
  for (int length = 1; length < order; ++length) {
    std::vector<Gram> next;
    for (const Gram& h : frontier) {
      for (uint32_t w = 3; w < vocabulary_size; ++w) {
        Gram longer = {w};
        longer.insert(longer.end(), h.begin(), h.end());
        next.push_back(longer);
      }
    }
    for (const Gram& h : frontier) {
      Gram with_bos = {kBos};
      with_bos.insert(with_bos.end(), h.begin(), h.end());
      histories.push_back(with_bos);
    }
    histories.insert(histories.end(), next.begin(), next.end());
    frontier = next;
  }
  return histories;
}

class KneserNeyReferenceTest : public ::testing::TestWithParam<int> {};

TEST_P(KneserNeyReferenceTest, BackoffFormMatchesInterpolatedFormula) {
  const int order = GetParam();
  const uint32_t vocabulary_size = order >= 5 ? 7 : 9;
  std::vector<Gram> corpus = RandomCorpus(17 + order, vocabulary_size, 60);
  std::string section;
  KneserNeyReport report;
  NgramModel model = Train(corpus, order, vocabulary_size, &section, &report);
  ReferenceKneserNey reference(corpus, order, vocabulary_size);

  int compared = 0;
  for (const Gram& history : Histories(order, vocabulary_size)) {
    LmState state = model.NullContext();
    size_t first = 0;
    if (!history.empty() && history[0] == kBos) {
      state = model.BeginSentence();
      first = 1;
    }
    for (size_t i = first; i < history.size(); ++i) model.Score(state, WordId{history[i]}, &state);
    double sum = 0;
    for (uint32_t w = 0; w < vocabulary_size; ++w) {
      if (w == kBos) continue;
      LmState out;
      float log10_model = model.Score(state, WordId{w}, &out);
      double expected = std::log10(reference.Prob(history, w));
      ASSERT_NEAR(log10_model, expected, 1e-5)
          << "order " << order << " history size " << history.size() << " word " << w;
      sum += std::pow(10.0, log10_model);
      ++compared;
    }
    EXPECT_NEAR(sum, 1.0, 1e-4) << "history size " << history.size();
  }
  EXPECT_GT(compared, 50);
  // The corpus is big enough for estimated (not fallback) discounts at order 3 and up.
  if (order >= 3) {
    EXPECT_FALSE(report.used_fallback[order - 1]);
  }
  for (int n = 1; n <= order; ++n) EXPECT_GT(report.ngram_counts[n - 1], 0u);
}

INSTANTIATE_TEST_SUITE_P(Orders, KneserNeyReferenceTest, ::testing::Values(2, 3, 4, 5));

class KneserNeyPruningTest : public ::testing::TestWithParam<int> {};

TEST_P(KneserNeyPruningTest, PrunedModelIsSmallerAndStillNormalised) {
  const int order = GetParam();
  const uint32_t vocabulary_size = 9;
  std::vector<Gram> corpus = RandomCorpus(31 + order, vocabulary_size, 80);
  std::string full_section, pruned_section;
  KneserNeyReport full, pruned;
  Train(corpus, order, vocabulary_size, &full_section, &full);
  KneserNeyOptions options;
  options.prune_singletons = true;
  NgramModel model = Train(corpus, order, vocabulary_size, &pruned_section, &pruned, options);
  EXPECT_EQ(pruned.ngram_counts[0], full.ngram_counts[0]);
  EXPECT_EQ(pruned.ngram_counts[1], full.ngram_counts[1]);
  EXPECT_LT(pruned.ngram_counts[order - 1], full.ngram_counts[order - 1]);

  for (const Gram& history : Histories(order, vocabulary_size)) {
    LmState state = model.NullContext();
    size_t first = 0;
    if (!history.empty() && history[0] == kBos) {
      state = model.BeginSentence();
      first = 1;
    }
    for (size_t i = first; i < history.size(); ++i) model.Score(state, WordId{history[i]}, &state);
    double sum = 0;
    for (uint32_t w = 0; w < vocabulary_size; ++w) {
      if (w == kBos) continue;
      LmState out;
      sum += std::pow(10.0, model.Score(state, WordId{w}, &out));
    }
    ASSERT_NEAR(sum, 1.0, 1e-4) << "history size " << history.size();
  }
}

INSTANTIATE_TEST_SUITE_P(Orders, KneserNeyPruningTest, ::testing::Values(3, 4, 5));

TEST(KneserNeyTest, UsesEstimatedDiscountsOnALargerCorpus) {
  std::vector<Gram> corpus = RandomCorpus(5, 40, 3000);
  std::string section;
  KneserNeyReport report;
  Train(corpus, 3, 40, &section, &report);
  // (40 words all follow many others: the unigram continuation counts are all
  // above 4, so order 1 takes the fallback.)
  for (int n = 2; n <= 3; ++n) {
    EXPECT_FALSE(report.used_fallback[n - 1]) << n;
    EXPECT_GT(report.discounts[n - 1][0], 0);
    EXPECT_LE(report.discounts[n - 1][2], 3);
  }
}

TEST(KneserNeyTest, BadOrderEmptyCorpusAndReservedWords) {
  EXPECT_EQ(NgramCounter::Create(1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NgramCounter::Create(6).status().code(), StatusCode::kInvalidArgument);
  Result<NgramCounter> counter = NgramCounter::Create(3);
  ASSERT_TRUE(counter.ok());
  std::vector<WordId> bad = {WordId{5}, kSentenceEnd};
  EXPECT_EQ(counter->AddSentence(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(counter->AddSentence({}).ok());
  Result<WindowCounts> finished = std::move(*counter).Finish();
  ASSERT_TRUE(finished.ok());
  WindowCounts counts = std::move(*finished);
  EXPECT_EQ(EstimateKneserNey(counts, 10).status().code(), StatusCode::kInvalidArgument);
}

// A counter over a memory budget spills sorted runs and merges them: the
// counts equal the in-memory ones exactly.
TEST(KneserNeyTest, SpilledRunsMergeToTheInMemoryCounts) {
  std::mt19937 rng(17);
  std::vector<std::vector<WordId>> corpus(3000);
  for (auto& sentence : corpus) {
    sentence.resize(1 + rng() % 12);
    for (WordId& word : sentence) {
      word = WordId{static_cast<uint32_t>(3 + std::min(rng() % 40, rng() % 40))};
    }
  }
  CounterOptions spilling;
  spilling.memory_bytes = 1;  // the smallest buffer: 256 windows
  spilling.temp_dir = ::testing::TempDir();
  Result<NgramCounter> in_memory = NgramCounter::Create(4);
  Result<NgramCounter> on_disk = NgramCounter::Create(4, spilling);
  ASSERT_TRUE(in_memory.ok() && on_disk.ok());
  for (const auto& sentence : corpus) {
    ASSERT_TRUE(in_memory->AddSentence(sentence).ok());
    ASSERT_TRUE(on_disk->AddSentence(sentence).ok());
  }
  EXPECT_EQ(in_memory->runs(), 0);
  EXPECT_GT(on_disk->runs(), 10);
  Result<WindowCounts> want = std::move(*in_memory).Finish();
  Result<WindowCounts> got = std::move(*on_disk).Finish();
  ASSERT_TRUE(want.ok() && got.ok()) << got.status().ToString();
  EXPECT_EQ(got->windows, want->windows);
  EXPECT_EQ(got->counts, want->counts);
  EXPECT_EQ(got->tokens, want->tokens);
  EXPECT_EQ(got->sentences, want->sentences);
}

TEST(KneserNeyTest, UnwritableRunDirectoryIsIOError) {
  CounterOptions options;
  options.memory_bytes = 1;
  options.temp_dir = "/nonexistent/unspin-runs";
  Result<NgramCounter> counter = NgramCounter::Create(3, options);
  ASSERT_TRUE(counter.ok());
  std::vector<WordId> sentence(600, WordId{7});
  Status status = counter->AddSentence(sentence);
  if (status.ok()) status = counter->AddSentence(sentence);
  EXPECT_EQ(status.code(), StatusCode::kIOError) << status.ToString();
}

TEST(KneserNeyTest, PackedNgramsSortLexicographically) {
  std::vector<WordId> a = {WordId{3}, WordId{9}}, b = {WordId{4}, WordId{1}};
  PackedNgram pa = PackNgram(a), pb = PackNgram(b);
  EXPECT_LT(pa, pb);
  EXPECT_EQ(PackedLength(pa), 2);
  EXPECT_EQ(PackedWord(pa, 0), WordId{3});
  EXPECT_EQ(PackedWord(pa, 1), WordId{9});
}

}  // namespace
}  // namespace unspin::lm
