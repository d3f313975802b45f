// The language model the checker reads: one n-gram model, or a linear
// mixture of two that share a vocabulary,
//
//   P(w | h) = weight * P_first(w | h) + (1 - weight) * P_second(w | h),
//
// so that a newsroom's archive model (in-domain, sparse) and the general
// model (broad, out of domain) each answer where the other is weak.
//
//   MixedModel lm(archive, general, 0.7);
//   LmState state = lm.BeginSentence();
//   float log10_prob = lm.Score(state, word, &state);
//
// States are those of NgramModel (the recent words): the mixture keeps the
// longer of the two models' minimal states, which gives each model exactly
// the context it would have kept itself (a longer context backs off to the
// same scores). Cheap to copy; thread-safe.
#ifndef UNSPIN_LM_MIXED_MODEL_H_
#define UNSPIN_LM_MIXED_MODEL_H_

#include <span>

#include "unspin/lm/ngram_model.h"

namespace unspin::lm {

class MixedModel {
 public:
  MixedModel() = default;  // the empty model: every score kLog10ProbFloor
  // One model: its own scores, bit for bit.
  explicit MixedModel(NgramModel model);
  // `first_weight` in (0, 1) (else aborts): the share of `first`.
  MixedModel(NgramModel first, NgramModel second, double first_weight);

  bool mixed() const { return mixed_; }
  const NgramModel& first() const { return first_; }
  const NgramModel& second() const { return second_; }  // empty unless mixed()
  double first_weight() const { return mixed_ ? first_weight_ : 1.0; }
  int order() const;

  LmState BeginSentence() const;
  LmState NullContext() const { return LmState(); }
  // As NgramModel::Score / ScoreBatch / EndSentenceScore / UnigramLog10Prob,
  // of the mixture.
  float Score(const LmState& in, WordId word, LmState* out) const;
  void ScoreBatch(std::span<const LmState> in, std::span<const WordId> words,
                  std::span<float> log10_probs, std::span<LmState> out) const;
  float EndSentenceScore(const LmState& in) const;
  float UnigramLog10Prob(WordId word) const;

 private:
  // log10(weight * 10^first + (1 - weight) * 10^second).
  float Mix(float first, float second) const;

  NgramModel first_;
  NgramModel second_;
  bool mixed_ = false;
  double first_weight_ = 1.0;
  double log10_first_weight_ = 0.0;
  double log10_second_weight_ = 0.0;
};

}  // namespace unspin::lm

#endif  // UNSPIN_LM_MIXED_MODEL_H_
