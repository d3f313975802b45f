#include "unspin/lm/mixed_model.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "unspin/base/check.h"

namespace unspin::lm {
namespace {

const LmState& Longer(const LmState& a, const LmState& b) { return a.length >= b.length ? a : b; }

}  // namespace

MixedModel::MixedModel(NgramModel model) : first_(model) {}

MixedModel::MixedModel(NgramModel first, NgramModel second, double first_weight)
    : first_(first),
      second_(second),
      mixed_(true),
      first_weight_(first_weight),
      log10_first_weight_(std::log10(first_weight)),
      log10_second_weight_(std::log10(1.0 - first_weight)) {
  UNSPIN_CHECK(first_weight > 0.0 && first_weight < 1.0);
}

int MixedModel::order() const {
  return mixed_ ? std::max(first_.order(), second_.order()) : first_.order();
}

LmState MixedModel::BeginSentence() const {
  return mixed_ ? Longer(first_.BeginSentence(), second_.BeginSentence()) : first_.BeginSentence();
}

float MixedModel::Mix(float first, float second) const {
  // log10(10^a + 10^b) = top + log10(1 + 10^(low - top)): two calls, no overflow.
  constexpr double kLn10 = 2.302585092994046;
  const double a = first + log10_first_weight_;
  const double b = second + log10_second_weight_;
  const double top = std::max(a, b);
  const double low = std::min(a, b);
  return static_cast<float>(top + std::log1p(std::exp((low - top) * kLn10)) / kLn10);
}

float MixedModel::Score(const LmState& in, WordId word, LmState* out) const {
  if (!mixed_) return first_.Score(in, word, out);
  LmState first_out, second_out;
  const float first = first_.Score(in, word, &first_out);
  const float second = second_.Score(in, word, &second_out);
  *out = Longer(first_out, second_out);
  return Mix(first, second);
}

void MixedModel::ScoreBatch(std::span<const LmState> in, std::span<const WordId> words,
                            std::span<float> log10_probs, std::span<LmState> out) const {
  if (!mixed_) {
    first_.ScoreBatch(in, words, log10_probs, out);
    return;
  }
  UNSPIN_CHECK(words.size() == in.size() && log10_probs.size() == in.size() &&
               out.size() == in.size());
  // Each model scores a chunk in one batch, into buffers of the chunk's size.
  constexpr size_t kChunk = 64;
  std::array<float, kChunk> first, second;
  std::array<LmState, kChunk> first_out, second_out;
  for (size_t begin = 0; begin < in.size(); begin += kChunk) {
    const size_t count = std::min(kChunk, in.size() - begin);
    const auto chunk_in = in.subspan(begin, count);
    const auto chunk_words = words.subspan(begin, count);
    first_.ScoreBatch(chunk_in, chunk_words, std::span(first).first(count),
                      std::span(first_out).first(count));
    second_.ScoreBatch(chunk_in, chunk_words, std::span(second).first(count),
                       std::span(second_out).first(count));
    for (size_t i = 0; i < count; ++i) {
      log10_probs[begin + i] = Mix(first[i], second[i]);
      out[begin + i] = Longer(first_out[i], second_out[i]);
    }
  }
}

float MixedModel::EndSentenceScore(const LmState& in) const {
  LmState ignored;
  return Score(in, kSentenceEnd, &ignored);
}

float MixedModel::UnigramLog10Prob(WordId word) const {
  if (!mixed_) return first_.UnigramLog10Prob(word);
  return Mix(first_.UnigramLog10Prob(word), second_.UnigramLog10Prob(word));
}

}  // namespace unspin::lm
