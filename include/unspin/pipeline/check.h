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
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/model/model.h"
#include "unspin/pipeline/verdict.h"

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
  // than a spinner's. 0 reports every span. At the default share, 0.39 is
  // the log odds that read 0.05 at the fit's prior (one text in 13 spun).
  double min_spun_probability = 0.39;
  // The share of spun texts expected among those checked: the prior the spun
  // probability is calibrated to (SpunProbability). At one text in 13 or more
  // it moves the probability, not which texts are called spun: the evidence
  // floor decides that.
  double spun_share = kDefaultSpunShare;

  friend bool operator==(const CheckOptions&, const CheckOptions&) = default;
};

// The values each option a user sets may take, the same in every front end:
// the CLI's flags, serve's JSON fields and the Python keywords.
struct OptionRange {
  double min;
  double max;
};
inline constexpr OptionRange kChangeCostRange{0, 100};
inline constexpr OptionRange kMinSpunProbabilityRange{0, 1};
inline constexpr OptionRange kSpunShareRange{kMinSpunShare, kMaxSpunShare};

// OK when change_cost, min_spun_probability and spun_share are finite and
// within their ranges; else InvalidArgument naming the first that is not
// ("change_cost must be a number from 0 to 100").
Status ValidateCheckOptions(const CheckOptions& options);

// What a check finds in a text before its verdict (Checker::Gather): the
// verdict reads only the counts, so the evidence of the parts of a long text,
// added up, is the evidence of the whole (CheckInWindows).
struct CheckEvidence {
  std::vector<SpunSpan> spans;  // restored by the decoder, in input order
  // Flagged, not restored (restored false): shown when the text is judged at
  // or above min_spun_probability; the weak ones only when it is called spun
  // with nothing else to show.
  std::vector<SpunSpan> flagged;
  std::vector<SpunSpan> weak_flagged;
  std::vector<DebrisSpan> debris;
  uint32_t words = 0;
  DetectorFeatures features;
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

  // Check in two steps: the evidence of a text (errors as Check's), and the
  // verdict on evidence, with the spans it shows (`restored` left empty:
  // ForEachRestoredPiece makes it). Check(x) is Judge(Gather(x)) with its
  // restored text.
  Result<CheckEvidence> Gather(std::string_view input) const;
  CheckResult Judge(CheckEvidence evidence) const;

 private:
  const model::Model& model_;
  CheckOptions options_;
  // Names this checker to the proposal cache each thread keeps (check.cc):
  // unique to each construction, so that no other checker reads its entries.
  uint64_t cache_id_;
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

// Calls `take` with the pieces of the restored text, in order: `input` with
// each restored span of `spans` (sorted, non-overlapping, offsets into
// `input`) replaced by its original. The views live as long as `input` and
// `spans`.
void ForEachRestoredPiece(std::string_view input, std::span<const SpunSpan> spans,
                          const std::function<void(std::string_view)>& take);

// The restored text (ForEachRestoredPiece) as a JSON string, quotes
// included, written in pieces through `write`: never held whole.
void WriteRestoredJsonString(std::string_view input, std::span<const SpunSpan> spans,
                             const std::function<void(std::string_view)>& write);

// CheckResultToJson(result), written in pieces through `write` with the
// restored text made from `input` and the spans as it goes (result.restored
// is not read): a long text's output is never held whole.
void WriteCheckResultJson(const CheckResult& result, std::string_view input,
                          const std::function<void(std::string_view)>& write);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_CHECK_H_
