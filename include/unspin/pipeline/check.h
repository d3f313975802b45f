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
};

// The verdict: spun probability = logistic(bias + the weighted detector
// inputs) (DetectorInputs). The defaults were fitted by
// bench/calibrate_detector.py for the default model; `unspin model
// calibrate` fits them to another model (an archive's, a spinner's channel)
// on that newsroom's own pairs and stores them in it.
// The weights as numbers (a model's DTCT section), and the inputs they
// multiply after the bias.
using DetectorNumbers = std::array<double, model::kDetectorWeightCount>;
using DetectorInputValues = std::array<double, model::kDetectorWeightCount - 1>;

struct DetectorWeights {
  double bias = 0;
  double span_rate = 0;
  double evidence_rate = 0;
  double soft_evidence_rate = 0;
  double quoted_soft_evidence_rate = 0;
  double quoted_share = 0;
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
// rates of spans, evidence and soft evidence per unquoted word (with a prior
// of 50 words, and weighted by sqrt(n / 100) beyond 100 unquoted words), the
// soft evidence per quoted word, the quoted share, and that length weight.
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
// model calibrate`, and bench/calibrate_detector.py through it, which fitted
// the defaults. Needs spun and original examples both (else returns the
// defaults).
DetectorWeights FitDetector(std::span<const DetectorExample> examples);

struct CheckResult {
  double spun_probability = 0;
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
  double min_spun_probability = 0.25;
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
// (spun_probability, spans, restored, debris); floats with 4 decimals.
std::string CheckResultToJson(const CheckResult& result);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_CHECK_H_
