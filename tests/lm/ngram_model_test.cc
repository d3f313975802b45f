#include "unspin/lm/ngram_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <unordered_set>
#include <vector>

#include "unspin/lm/mixed_model.h"

namespace unspin::lm {
namespace {

WordId W(uint32_t id) { return WordId{id}; }

uint32_t Next(std::mt19937& rng) { return static_cast<uint32_t>(rng()); }

// A brute-force back-off scorer over the n-grams as added (no closure, no
// hashing): the reference the serialised model must agree with.
class ReferenceModel {
 public:
  explicit ReferenceModel(int order) : order_(order) {}

  void Add(const std::vector<uint32_t>& words, float log10_prob, float log10_backoff) {
    grams_[words] = {log10_prob,
                     words.size() == static_cast<size_t>(order_) ? 0.0f : log10_backoff};
    for (uint32_t word : words) known_.insert(word);
  }

  // Mirrors the builder's documented rules: a word in any n-gram is known; a
  // known word without a unigram, and <unk> when not added, get the lowest
  // added unigram probability.
  uint32_t Map(uint32_t word) const { return known_.count(word) != 0 ? word : 0; }

  float Unigram(uint32_t word) const {
    auto it = grams_.find({word});
    if (it != grams_.end()) return it->second.first;
    float lowest = 0;
    bool any = false;
    for (const auto& [words, weights] : grams_) {
      if (words.size() == 1 && (!any || weights.first < lowest)) {
        lowest = weights.first;
        any = true;
      }
    }
    return any ? lowest : NgramModel::kLog10ProbFloor;
  }

  // history: oldest first (already mapped), only the last order-1 words used.
  float Score(std::vector<uint32_t> history, uint32_t word) const {
    word = Map(word);
    if (history.size() > static_cast<size_t>(order_ - 1)) {
      history.erase(history.begin(), history.end() - (order_ - 1));
    }
    const size_t k = history.size();
    // Longest m such that "history[k-m..k-1] word" exists.
    size_t matched = 0;
    float log10_prob = Unigram(word);
    for (size_t m = 1; m <= k; ++m) {
      std::vector<uint32_t> gram(history.end() - static_cast<ptrdiff_t>(m), history.end());
      gram.push_back(word);
      auto it = grams_.find(gram);
      if (it != grams_.end()) {
        matched = m;
        log10_prob = it->second.first;
      }
    }
    for (size_t j = matched + 1; j <= k; ++j) {
      std::vector<uint32_t> context(history.end() - static_cast<ptrdiff_t>(j), history.end());
      auto it = grams_.find(context);
      if (it != grams_.end()) log10_prob += it->second.second;
    }
    return log10_prob;
  }

 private:
  int order_;
  std::map<std::vector<uint32_t>, std::pair<float, float>> grams_;
  std::unordered_set<uint32_t> known_;
};

struct RandomModel {
  std::string section;
  ReferenceModel reference;
  uint32_t vocab_size;
};

// A random model that is deliberately not ARPA-consistent: n-grams whose
// prefixes or suffixes are missing, words that only occur in longer n-grams,
// zero and non-zero back-offs.
RandomModel MakeRandomModel(int order, uint32_t vocab_size, int ngrams, uint32_t seed,
                            bool add_unknown) {
  std::mt19937 rng(seed);
  NgramModelBuilder builder(order);
  ReferenceModel reference(order);
  std::uniform_real_distribution<float> prob(-4.0f, -0.05f);
  std::uniform_real_distribution<float> backoff(-1.5f, 0.5f);
  auto add = [&](const std::vector<uint32_t>& words) {
    float p = prob(rng);
    float b = Next(rng) % 4 == 0 ? 0.0f : backoff(rng);
    std::vector<WordId> ids;
    for (uint32_t w : words) ids.push_back(W(w));
    builder.Add(ids, p, b);
    reference.Add(words, p, b);
  };
  if (add_unknown) add({0});
  for (uint32_t w = 1; w < vocab_size; ++w) {
    if (Next(rng) % 5 != 0) add({w});  // some words have no unigram
  }
  // Small word range for the context words so that n-grams share histories.
  for (int i = 0; order > 1 && i < ngrams; ++i) {
    int n = 2 + static_cast<int>(Next(rng) % static_cast<uint32_t>(order - 1));
    std::vector<uint32_t> words;
    for (int j = 0; j < n; ++j) words.push_back(1 + Next(rng) % (vocab_size - 1));
    add(words);
  }
  return {builder.Serialize(), std::move(reference), vocab_size};
}

class LmRandomModelTest : public ::testing::TestWithParam<int> {};

TEST_P(LmRandomModelTest, ScoresMatchBruteForceReference) {
  const int order = GetParam();
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    RandomModel random = MakeRandomModel(order, 12, 300, seed, seed % 2 == 0);
    Result<NgramModel> model = NgramModel::Open(random.section);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_EQ(model->order(), order);
    std::mt19937 rng(seed * 100);
    int queries = 0;
    for (int q = 0; q < 5000; ++q) {
      LmState state;
      std::vector<uint32_t> history;
      int length = static_cast<int>(Next(rng) % static_cast<uint32_t>(order));
      for (int j = 0; j < length; ++j) {
        uint32_t w = Next(rng) % (random.vocab_size + 2);  // some unknown
        state.context[j] = W(w);
        history.insert(history.begin(), random.reference.Map(w));
      }
      state.length = static_cast<uint8_t>(length);
      uint32_t word = Next(rng) % (random.vocab_size + 2);  // some unknown
      LmState out;
      float got = model->Score(state, W(word), &out);
      float want = random.reference.Score(history, word);
      ASSERT_NEAR(got, want, 1e-5) << "order " << order << " seed " << seed << " query " << q;
      ++queries;
    }
    EXPECT_EQ(queries, 5000);
  }
}

TEST_P(LmRandomModelTest, ChainedMinimalStatesMatchFullHistory) {
  const int order = GetParam();
  for (uint32_t seed = 11; seed <= 14; ++seed) {
    RandomModel random = MakeRandomModel(order, 10, 400, seed, seed % 2 == 1);
    Result<NgramModel> model = NgramModel::Open(random.section);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    std::mt19937 rng(seed);
    for (int sentence = 0; sentence < 500; ++sentence) {
      LmState state = model->BeginSentence();
      std::vector<uint32_t> history = {ToIndex(kSentenceBegin)};
      int words = 1 + static_cast<int>(Next(rng) % 12);
      for (int i = 0; i < words; ++i) {
        uint32_t word = Next(rng) % (random.vocab_size + 1);
        float want = random.reference.Score(history, word);
        float got = model->Score(state, W(word), &state);
        ASSERT_NEAR(got, want, 1e-5) << "seed " << seed << " sentence " << sentence;
        ASSERT_LE(state.length, order - 1);
        history.push_back(random.reference.Map(word));
      }
      ASSERT_NEAR(model->EndSentenceScore(state),
                  random.reference.Score(history, ToIndex(kSentenceEnd)), 1e-5);
    }
  }
}

// A state of 0..order-1 random words below `words`.
LmState RandomState(std::mt19937& rng, int order, uint32_t words) {
  LmState state;
  const int length = static_cast<int>(Next(rng) % static_cast<uint32_t>(order));
  for (int j = 0; j < length; ++j) state.context[j] = W(Next(rng) % words);
  state.length = static_cast<uint8_t>(length);
  return state;
}

// ScoreBatch gives each item Score's answer, into separate outputs and in place.
template <typename Model>
void ExpectBatchEqualsScore(const Model& model, std::vector<LmState> in,
                            const std::vector<WordId>& words) {
  std::vector<float> log10_probs(in.size());
  std::vector<LmState> out(in.size());
  model.ScoreBatch(in, words, log10_probs, out);
  for (size_t i = 0; i < in.size(); ++i) {
    LmState want_state;
    ASSERT_EQ(log10_probs[i], model.Score(in[i], words[i], &want_state)) << "item " << i;
    ASSERT_EQ(out[i], want_state) << "item " << i;
  }
  // In place: out aliasing in.
  model.ScoreBatch(in, words, log10_probs, in);
  EXPECT_EQ(in, out);
}

TEST_P(LmRandomModelTest, ScoreBatchEqualsScore) {
  const int order = GetParam();
  RandomModel random = MakeRandomModel(order, 12, 300, 21, true);
  Result<NgramModel> model = NgramModel::Open(random.section);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::mt19937 rng(21);
  // More items than one lookup chunk, with histories of every length.
  std::vector<LmState> in(50);
  std::vector<WordId> words(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = RandomState(rng, order, random.vocab_size + 2);
    words[i] = W(Next(rng) % (random.vocab_size + 2));
  }
  ExpectBatchEqualsScore(*model, in, words);

  // A batch that asks the same pairs many times (as a checker's does), over
  // several of ScoreBatch's windows: every item gets its own pair's answer.
  std::vector<LmState> repeated_in(700);
  std::vector<WordId> repeated_words(repeated_in.size());
  for (size_t i = 0; i < repeated_in.size(); ++i) {
    const size_t pair = Next(rng) % in.size();
    repeated_in[i] = in[pair];
    // Equal states may differ in their unused words.
    if (in[pair].length < kMaxOrder - 1) repeated_in[i].context[kMaxOrder - 2] = W(Next(rng) % 5);
    repeated_words[i] = words[pair];
  }
  ExpectBatchEqualsScore(*model, repeated_in, repeated_words);
}

INSTANTIATE_TEST_SUITE_P(Orders, LmRandomModelTest, ::testing::Values(1, 2, 3, 4, 5));

TEST(LmMixedModelTest, OneModelIsThatModelExactly) {
  RandomModel random = MakeRandomModel(3, 12, 300, 31, true);
  Result<NgramModel> model = NgramModel::Open(random.section);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const MixedModel alone(*model);
  EXPECT_FALSE(alone.mixed());
  EXPECT_EQ(alone.order(), 3);
  std::mt19937 rng(31);
  LmState mixed_state = alone.BeginSentence(), state = model->BeginSentence();
  for (int i = 0; i < 200; ++i) {
    const WordId word = W(Next(rng) % 14);
    EXPECT_EQ(alone.Score(mixed_state, word, &mixed_state), model->Score(state, word, &state));
    EXPECT_EQ(mixed_state, state);
  }
  EXPECT_EQ(alone.EndSentenceScore(mixed_state), model->EndSentenceScore(state));
}

// Chained through the mixture's own states, every score is the weighted sum
// of the two models' probabilities, each model chained on its own.
TEST(LmMixedModelTest, ScoresAreTheWeightedSumAlongSentences) {
  for (const auto& [first_order, second_order] : {std::pair{3, 2}, {2, 4}, {4, 4}}) {
    RandomModel first = MakeRandomModel(first_order, 10, 400, 41, true);
    RandomModel second = MakeRandomModel(second_order, 10, 400, 42, false);
    Result<NgramModel> first_model = NgramModel::Open(first.section);
    Result<NgramModel> second_model = NgramModel::Open(second.section);
    ASSERT_TRUE(first_model.ok() && second_model.ok());
    const double weight = 0.3;
    const MixedModel mixture(*first_model, *second_model, weight);
    EXPECT_TRUE(mixture.mixed());
    EXPECT_EQ(mixture.order(), std::max(first_order, second_order));
    auto mix = [weight](float a, float b) {
      return std::log10(weight * std::pow(10.0, a) + (1 - weight) * std::pow(10.0, b));
    };
    std::mt19937 rng(43);
    for (int sentence = 0; sentence < 300; ++sentence) {
      LmState state = mixture.BeginSentence();
      LmState first_state = first_model->BeginSentence();
      LmState second_state = second_model->BeginSentence();
      const int words = 1 + static_cast<int>(Next(rng) % 10);
      for (int i = 0; i < words; ++i) {
        const WordId word = W(Next(rng) % 11);
        const double want = mix(first_model->Score(first_state, word, &first_state),
                                second_model->Score(second_state, word, &second_state));
        ASSERT_NEAR(mixture.Score(state, word, &state), want, 1e-5) << "sentence " << sentence;
        ASSERT_LE(state.length, mixture.order() - 1);
      }
      ASSERT_NEAR(mixture.EndSentenceScore(state),
                  mix(first_model->EndSentenceScore(first_state),
                      second_model->EndSentenceScore(second_state)),
                  1e-5);
    }
    EXPECT_NEAR(mixture.UnigramLog10Prob(W(3)),
                mix(first_model->UnigramLog10Prob(W(3)), second_model->UnigramLog10Prob(W(3))),
                1e-5);
  }
}

TEST(LmMixedModelTest, ScoreBatchEqualsScore) {
  RandomModel first = MakeRandomModel(3, 12, 300, 51, true);
  RandomModel second = MakeRandomModel(4, 12, 300, 52, true);
  Result<NgramModel> first_model = NgramModel::Open(first.section);
  Result<NgramModel> second_model = NgramModel::Open(second.section);
  ASSERT_TRUE(first_model.ok() && second_model.ok());
  const MixedModel mixture(*first_model, *second_model, 0.6);
  std::mt19937 rng(53);
  // More items than two of the mixture's chunks.
  std::vector<LmState> in(150);
  std::vector<WordId> words(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = RandomState(rng, 4, 14);
    words[i] = W(Next(rng) % 14);
  }
  ExpectBatchEqualsScore(mixture, in, words);
}

// A hand-made ARPA-style trigram model.
std::string HandMadeTrigramSection() {
  NgramModelBuilder builder(3);
  const WordId the = W(3), cat = W(4), sat = W(5), dog = W(6);
  builder.Add(std::array{kUnknownWord}, -3.0f, 0.0f);
  builder.Add(std::array{kSentenceBegin}, -99.0f, -0.5f);
  builder.Add(std::array{kSentenceEnd}, -1.0f, 0.0f);
  builder.Add(std::array{the}, -1.0f, -0.25f);
  builder.Add(std::array{cat}, -2.0f, -0.125f);
  builder.Add(std::array{sat}, -2.0f, 0.0f);
  builder.Add(std::array{dog}, -2.5f, 0.0f);
  builder.Add(std::array{kSentenceBegin, the}, -0.5f, -0.75f);
  builder.Add(std::array{the, cat}, -0.75f, -0.1f);
  builder.Add(std::array{cat, sat}, -0.25f, 0.0f);
  builder.Add(std::array{kSentenceBegin, the, cat}, -0.2f, 0.0f);
  builder.Add(std::array{the, cat, sat}, -0.1f, 0.0f);
  EXPECT_EQ(builder.count(1), 7u);
  EXPECT_EQ(builder.count(2), 3u);
  EXPECT_EQ(builder.count(3), 2u);
  return builder.Serialize();
}

TEST(LmNgramModelTest, HandMadeTrigramScoresAndStates) {
  std::string section = HandMadeTrigramSection();
  Result<NgramModel> model = NgramModel::Open(section);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->NgramCount(1), 7u);
  EXPECT_EQ(model->NgramCount(2), 3u);
  EXPECT_EQ(model->NgramCount(3), 2u);
  EXPECT_EQ(model->NgramCount(4), 0u);
  const WordId the = W(3), cat = W(4), sat = W(5), dog = W(6);

  LmState state = model->BeginSentence();
  EXPECT_FLOAT_EQ(model->Score(state, the, &state), -0.5f);
  EXPECT_EQ(state.length, 2);
  EXPECT_FLOAT_EQ(model->Score(state, cat, &state), -0.2f);
  EXPECT_FLOAT_EQ(model->Score(state, sat, &state), -0.1f);
  // "sat" has no extension and a zero back-off: the state forgets everything.
  EXPECT_EQ(state.length, 0);
  EXPECT_EQ(state, model->NullContext());
  // </s> after nothing: the unigram.
  EXPECT_FLOAT_EQ(model->EndSentenceScore(state), -1.0f);

  // Back-off: "the dog" is unseen: P(dog) + bo(the) (+ bo(<s> the) for the trigram).
  LmState out;
  LmState context_the;
  context_the.context[0] = the;
  context_the.length = 1;
  EXPECT_FLOAT_EQ(model->Score(context_the, dog, &out), -2.5f - 0.25f);
  LmState context_s_the = model->BeginSentence();
  model->Score(context_s_the, the, &context_s_the);
  EXPECT_FLOAT_EQ(model->Score(context_s_the, dog, &out), -2.5f - 0.25f - 0.75f);
  // Unknown words score as <unk>.
  EXPECT_FLOAT_EQ(model->UnigramLog10Prob(W(1000)), -3.0f);
  EXPECT_FLOAT_EQ(model->Score(model->NullContext(), W(1000), &out), -3.0f);
  // out may alias in.
  LmState aliased = model->BeginSentence();
  model->Score(aliased, the, &aliased);
  EXPECT_EQ(aliased.length, 2);
  EXPECT_EQ(aliased.context[0], the);
  EXPECT_EQ(aliased.context[1], kSentenceBegin);
}

TEST(LmNgramModelTest, EqualFuturesGiveEqualStates) {
  std::string section = HandMadeTrigramSection();
  Result<NgramModel> model = NgramModel::Open(section);
  ASSERT_TRUE(model.ok());
  const WordId the = W(3), cat = W(4), dog = W(6);
  // "dog the" and "cat the": "dog the" and "cat the" are not contexts, so the
  // state after "the" keeps just "the".
  LmState a, b;
  model->Score(model->NullContext(), dog, &a);
  model->Score(a, the, &a);
  model->Score(model->NullContext(), cat, &b);
  model->Score(b, the, &b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(LmStateHash()(a), LmStateHash()(b));
  EXPECT_EQ(a.length, 1);
  // Garbage past `length` is ignored by == and the hash.
  LmState c = a;
  c.context[3] = W(77);
  EXPECT_EQ(a, c);
  EXPECT_EQ(LmStateHash()(a), LmStateHash()(c));
}

TEST(LmNgramModelTest, EmptyModelIsSafe) {
  NgramModel model;
  LmState out;
  EXPECT_EQ(model.order(), 0);
  EXPECT_EQ(model.Score(model.BeginSentence(), W(5), &out), NgramModel::kLog10ProbFloor);
  EXPECT_EQ(out.length, 0);
}

TEST(LmNgramModelTest, BuilderReplacesDuplicates) {
  NgramModelBuilder builder(2);
  builder.Add(std::array{W(5)}, -1.0f, 0.0f);
  builder.Add(std::array{W(4), W(5)}, -1.0f, 0.0f);
  builder.Add(std::array{W(5)}, -2.0f, 0.0f);
  EXPECT_EQ(builder.count(1), 1u);
  EXPECT_EQ(builder.count(2), 1u);
  EXPECT_EQ(builder.count(3), 0u);
  std::string section = builder.Serialize();
  Result<NgramModel> model = NgramModel::Open(section);
  ASSERT_TRUE(model.ok());
  EXPECT_FLOAT_EQ(model->UnigramLog10Prob(W(5)), -2.0f);
  // Closure added unigram 4 and <unk>, both at the lowest unigram probability.
  EXPECT_FLOAT_EQ(model->UnigramLog10Prob(W(4)), -2.0f);
  EXPECT_FLOAT_EQ(model->UnigramLog10Prob(kUnknownWord), -2.0f);
}

TEST(LmNgramModelTest, EveryTruncationIsCorruption) {
  std::string section = HandMadeTrigramSection();
  for (size_t size = 0; size < section.size(); ++size) {
    Result<NgramModel> model = NgramModel::Open(std::string_view(section).substr(0, size));
    ASSERT_FALSE(model.ok()) << size;
    EXPECT_EQ(model.status().code(), StatusCode::kCorruption) << size;
  }
  std::string longer = section + std::string(1, '\0');
  EXPECT_EQ(NgramModel::Open(longer).status().code(), StatusCode::kCorruption);
}

TEST(LmNgramModelTest, BadHeaderFieldsAreCorruption) {
  const std::string section = HandMadeTrigramSection();
  auto patched = [&](size_t offset, uint32_t value) {
    std::string copy = section;
    std::memcpy(copy.data() + offset, &value, sizeof(value));
    return copy;
  };
  // order, unigram_slots, count[1] (low word), buckets[1], prob_bins[1],
  // backoff_bins[1], backoff_bins[2] (the top order has none).
  for (auto [offset, value] : std::vector<std::pair<size_t, uint32_t>>{{4, 0},
                                                                       {4, 6},
                                                                       {4, 2},
                                                                       {8, 1},
                                                                       {8, 1u << 30},
                                                                       {24, 1u << 30},
                                                                       {64, 0},
                                                                       {64, 1u << 30},
                                                                       {100, 0},
                                                                       {100, 65537},
                                                                       {120, 0},
                                                                       {124, 1}}) {
    std::string copy = patched(offset, value);
    Result<NgramModel> model = NgramModel::Open(copy);
    EXPECT_EQ(model.status().code(), StatusCode::kCorruption) << offset << " " << value;
  }
  // Another format version (1 was the 16-byte probing layout): rebuild the model.
  for (uint32_t version : {1u, 3u}) {
    Result<NgramModel> model = NgramModel::Open(patched(0, version));
    EXPECT_EQ(model.status().code(), StatusCode::kVersionMismatch) << version;
  }
}

TEST(LmNgramModelTest, CorruptedBytesNeverCrash) {
  const std::string section = HandMadeTrigramSection();
  std::mt19937 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string copy = section;
    int flips = 1 + static_cast<int>(Next(rng) % 8);
    for (int i = 0; i < flips; ++i) {
      copy[Next(rng) % copy.size()] = static_cast<char>(Next(rng));
    }
    Result<NgramModel> model = NgramModel::Open(copy);
    if (!model.ok()) continue;
    LmState state = model->BeginSentence();
    for (int i = 0; i < 20; ++i) {
      float score = model->Score(state, W(Next(rng) % 12), &state);
      (void)score;
      ASSERT_LE(state.length, kMaxOrder - 1);
    }
    state.context = {W(Next(rng)), W(Next(rng)), W(Next(rng)), W(Next(rng))};
    state.length = kMaxOrder - 1;
    (void)model->Score(state, W(Next(rng)), &state);
    (void)model->UnigramLog10Prob(W(Next(rng)));
  }
}

}  // namespace
}  // namespace unspin::lm
