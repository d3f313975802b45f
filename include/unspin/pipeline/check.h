// The use cases the CLI and the server call: is a text spun, which spans give
// it away, and what did it most likely say before.
//
//   UNSPIN_ASSIGN_OR_RETURN(auto model, model::Model::Open(path));
//   pipeline::Checker checker(*model);
//   UNSPIN_ASSIGN_OR_RETURN(pipeline::CheckResult result, checker.Check(text));
//   std::cout << pipeline::CheckResultToJson(result) << "\n";
#ifndef UNSPIN_PIPELINE_CHECK_H_
#define UNSPIN_PIPELINE_CHECK_H_

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/model/model.h"

namespace unspin::pipeline {

// A span the spinner most likely replaced. Offsets are UTF-8 byte offsets into
// the checked input, half-open.
struct SpunSpan {
  uint32_t start = 0;
  uint32_t end = 0;
  std::string text;                       // the input bytes [start, end)
  std::string original;                   // most likely original wording
  std::vector<std::string> alternatives;  // next most likely originals, best first
  double score = 0;  // log10 likelihood gain of `original` over `text` in context
  // False for a span flagged but not restored: the word is out of place (a
  // synonym fits its context far better, or an article disagrees with it) but
  // no original is sure enough to write. `original` is then the best guess,
  // and `restored` text keeps the observed words.
  bool restored = true;
};

// A line of page debris (share counters, captions, adverts ...).
struct DebrisSpan {
  uint32_t start = 0;
  uint32_t end = 0;
  std::string kind;
};

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
  // Words written all in lower case, and those of them the language model
  // does not know: most of them unknown, the text is not English.
  uint32_t lower_case_words = 0;
  uint32_t unknown_lower_case_words = 0;
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

double SpunProbability(uint32_t words, const DetectorFeatures& features,
                       const DetectorWeights& weights);

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
inline constexpr double kOriginalWeight = 6.0;
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

struct CheckResult {
  Verdict verdict = Verdict::kJudged;
  double spun_probability = 0;  // 0 unless verdict is kJudged
  std::vector<SpunSpan> spans;  // in input order, non-overlapping
  std::string restored;         // the input with every span replaced by its original
  std::vector<DebrisSpan> debris;
  uint32_t words = 0;  // word tokens considered
  DetectorFeatures features;
};

struct CheckOptions {
  // log10 cost of changing one span: the evidence a change must overcome.
  double change_cost = 3.75;
  // Hypotheses kept per position in the lattice decoder.
  int beam_width = 16;
  // Alternatives reported per span.
  int max_alternatives = 3;
  // A text whose spun probability is below this is reported and restored
  // unchanged (no spans): a change there is more likely the checker's error
  // than a spinner's. 0 reports every span.
  double min_spun_probability = 0.1;
};

// Stateless apart from the model reference and a table derived from it at
// construction (a bit per vocabulary word); thread-safe. The model must
// outlive the Checker.
class Checker {
 public:
  explicit Checker(const model::Model& model, CheckOptions options = {});

  // Checks one document. Errors: InvalidArgument for invalid UTF-8 (the
  // message names the byte offset) or input over 4 GiB.
  Result<CheckResult> Check(std::string_view input) const;

 private:
  const model::Model& model_;
  CheckOptions options_;
  DetectorWeights detector_;  // DetectorWeights::Of(model)
  // By word id: the language model knows the word well enough to judge it
  // (a bit, not the model's frequency array: the checker asks for every
  // candidate word, and a bit array stays in cache).
  std::vector<bool> in_language_model_;
};

// One JSON object, keys in the fixed order of the CLI contract
// (spun_probability, spans, restored, debris, then verdict); each span has
// its "restored" flag last; floats with 4 decimals. spun_probability is 0
// when the text got no verdict (a number still, for every consumer that
// ranks texts by it); "verdict" says why.
std::string CheckResultToJson(const CheckResult& result);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_CHECK_H_
