// The verdict of `check`: the spun probability of a text from what the
// checker measured in it (DetectorFeatures), and whether it can be judged at
// all. The evidence is contrastive: how many words have a candidate original
// that fits their context much better than they do, per word that has
// candidates; the weights are a logistic regression (FitDetector) fitted on
// original and spun text of every genre in reach (docs/evaluation.md).
//
//   pipeline::DetectorFeatures features = result.features;  // from Checker::Check
//   if (pipeline::JudgeVerdict(features) == pipeline::Verdict::kJudged) {
//     double p = pipeline::SpunProbability(result.words, features,
//                                          pipeline::DetectorWeights::Default(),
//                                          pipeline::kDefaultSpunShare);
//   }
#ifndef UNSPIN_PIPELINE_VERDICT_H_
#define UNSPIN_PIPELINE_VERDICT_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "unspin/model/model.h"

namespace unspin::pipeline {

// What the spun probability is computed from (through DetectorInputs and
// DetectorWeights).
struct DetectorFeatures {
  uint32_t spans = 0;         // spans that count as evidence (not digits spelled out)
  double evidence = 0;        // sum over those spans of min(score, 8)
  double soft_evidence = 0;   // sum over unquoted words of the best candidate's LM gain
                              // beyond its relation cost (not the change cost), clipped to [0, 8]
  uint32_t quoted_words = 0;  // words inside quotation marks (never changed)
  double quoted_soft_evidence = 0;  // the same sum over the quoted words
  // "an"/"a" before a word that takes the other article ("an problem"), where
  // no span changed the word: a spinner's swap the checker could not undo.
  // Each counts as a span of fixed evidence in DetectorInputs.
  uint32_t article_disagreements = 0;
  // The contrast at each unquoted word that has candidates (an eligible
  // word): how many such words there are, and how many have a candidate whose
  // LM gain beyond its relation cost reaches 1, 2, 3, 4 and 5 (log10). What
  // the verdict is computed from.
  uint32_t eligible_words = 0;
  std::array<uint32_t, 5> gain_at_least{};
  // Words written all in lower case, those of them the language model does
  // not know, and those that are function words of English and of the other
  // languages written in Latin letters (IsEnglishMarker, IsForeignMarker):
  // most of them unknown, or more foreign function words than English ones,
  // the text is not English.
  uint32_t lower_case_words = 0;
  uint32_t unknown_lower_case_words = 0;
  uint32_t english_marker_words = 0;
  uint32_t foreign_marker_words = 0;

  // Adds `other`'s counts and sums: the features of a text are the sums of
  // its pieces'.
  void Add(const DetectorFeatures& other);
};

// The verdict: spun probability = logistic(bias + the weighted detector
// inputs) (DetectorInputs). The evidence is contrastive and independent of
// the change cost: how many of the words that have thesaurus candidates have
// one that fits the context better by 2, 3, 4 and 5 log10 beyond its
// relation cost, per such word. The defaults were fitted by
// bench/fit_verdict.py on a pool of every corpus and genre (docs/evaluation.md);
// `unspin model calibrate` fits them to another model (an archive's, a
// spinner's channel) on that newsroom's own pairs and stores them in it.
// The weights as numbers (a model's DTCT section), and the inputs they
// multiply after the bias.
using DetectorNumbers = std::array<double, model::kDetectorWeightCount>;
using DetectorInputValues = std::array<double, model::kDetectorWeightCount - 1>;

struct DetectorWeights {
  double bias = 0;
  double gain2_rate = 0;
  double gain3_rate = 0;
  double gain4_rate = 0;
  double gain5_rate = 0;
  double artefact_rate = 0;
  double length = 0;

  static DetectorWeights Default();
  // The model's own weights (`unspin model calibrate`), else the defaults.
  static DetectorWeights Of(const model::Model& model);
  // From / to a model's DTCT numbers (model::kDetectorWeightCount, in the
  // order above).
  static DetectorWeights FromNumbers(std::span<const double> numbers);
  DetectorNumbers ToNumbers() const;
};

// The inputs the weights multiply, in DetectorWeights' order after the bias:
// the words whose best candidate gains at least 2, 3, 4 and 5 (log10, beyond
// its relation cost) per eligible word (with a prior of kDetectorPriorWords),
// spinner artefacts (article disagreements) per unquoted word, each weighted
// by sqrt(n / 100) beyond 100 unquoted words, and that length weight.
DetectorInputValues DetectorInputs(uint32_t words, const DetectorFeatures& features);

// The spun probability in a collection where a share `spun_share` of the
// texts is spun, held under 0.5 until the evidence reaches a floor.
//
// The weights are fitted with originals weighing kOriginalWeight against as
// many spun texts, so their log odds z are those of a collection where one
// text in 1 + kOriginalWeight is spun; z >= 0 is the evidence floor, reached
// by about 1% of original paragraphs of any genre (docs/evaluation.md). The
// probability is the posterior at `spun_share`: z moved by the ratio of the
// priors' odds. A text is called spun (0.5 or more) only at or above the
// floor, whatever the share: where the posterior of a text under the floor
// is above kBelowFloorSqueezeStart, it is squeezed, in order, into
// [kBelowFloorSqueezeStart, kBelowFloorCap]. At the default share (0.5) a
// half-spun mix of every style reads calibrated to an ECE of 0.05 with at
// most 1.4% of any genre's originals called spun (docs/evaluation.md, "The
// evidence floor"); below a share of 1 / (1 + kOriginalWeight) nothing is
// squeezed.
double SpunProbability(uint32_t words, const DetectorFeatures& features,
                       const DetectorWeights& weights, double spun_share);
// Its two steps: the log odds at the fit's prior (>= 0: at or above the
// floor), and the probability at a share from them.
double DetectorLogOdds(uint32_t words, const DetectorFeatures& features,
                       const DetectorWeights& weights);
double FlooredSpunProbability(double log_odds, double spun_share);

// A checked text with its true label, for fitting.
struct DetectorExample {
  uint32_t words = 0;
  DetectorFeatures features;
  bool spun = false;
};

// Logistic regression by Newton's method with a small L2 penalty: `unspin
// model calibrate`; bench/fit_verdict.py fits the same way, which fitted the
// defaults. Each original example weighs `original_weight` against a spun
// one's 1: above 1 the verdict asks for more evidence before it says "spun"
// (the defaults use kOriginalWeight, so that at most ~2% of original
// paragraphs of any genre score 0.5 or more). Needs spun and original
// examples both (else returns the defaults).
inline constexpr double kOriginalWeight = 12.0;
// The share a collection checked by default is taken to have (the ECE target
// is for a half-spun mix); --spun-share moves it.
inline constexpr double kDefaultSpunShare = 0.5;
// Under the evidence floor the probability stays at most kBelowFloorCap; the
// posteriors above kBelowFloorSqueezeStart are squeezed into the gap between
// them, keeping their order (rankings and ROC AUC are those of z).
inline constexpr double kBelowFloorCap = 0.49;
inline constexpr double kBelowFloorSqueezeStart = 0.48;
// The shares --spun-share takes: a probability needs a prior strictly between
// 0 and 1.
inline constexpr double kMinSpunShare = 0.001;
inline constexpr double kMaxSpunShare = 0.999;
DetectorWeights FitDetector(std::span<const DetectorExample> examples,
                            double original_weight = kOriginalWeight);

// Whether the text could be judged at all.
enum class Verdict {
  kJudged,         // spun_probability is the verdict
  kNotEnoughText,  // fewer than kMinJudgedWords words the checker can weigh
  kNotEnglish,     // most of its words are not English words
};
std::string_view VerdictName(Verdict verdict);  // "judged", "not enough text", "not English"

// A text with fewer words that have candidates than this gets no verdict:
// one or two odd words say nothing either way.
inline constexpr uint32_t kMinJudgedWords = 5;

// kNotEnglish when more than 30% of a text's lower-case words (8 or more) are
// unknown to the language model (names and rare words are a few percent of
// English prose), or when at least 10% of them are function words of
// another language and more than are English ones (German, French or Dutch
// text that the speech model half knows: "die", "und", "les"); else
// kNotEnoughText below kMinJudgedWords eligible words; else kJudged. Text of
// no language (a table of figures) is judged as English.
Verdict JudgeVerdict(const DetectorFeatures& features);

// Whether a lower-case word is one of the commonest English function words
// ("the", "of", "which"...) that are not also common words of the other
// languages written in Latin letters ("in", "a", "was", "die" are left out).
bool IsEnglishMarker(std::string_view lower_case_word);
// Whether a lower-case word is one of the commonest function words of
// German, French, Spanish, Italian, Portuguese or Dutch that English prose
// rarely writes ("und", "les", "los", "della", "não", "het").
bool IsForeignMarker(std::string_view lower_case_word);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_VERDICT_H_
