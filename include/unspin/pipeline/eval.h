// Evaluation of the checker on (original, spun) pairs: detection (ROC AUC and
// F1 of the spun probability, spun vs original) and restoration (error
// reduction, collateral changes, false changes on originals, exact
// restoration of the spans the spinner changed). The metric definitions are
// in docs/evaluation.md; `unspin eval` prints them.
//
//   UNSPIN_ASSIGN_OR_RETURN(std::vector<pipeline::EvalPair> pairs,
//                           pipeline::ParseEvalPairs(jsonl_text));
//   pipeline::Checker checker(*model);
//   pipeline::EvalAccumulator accumulator;
//   for (const pipeline::EvalPair& pair : pairs) {
//     UNSPIN_ASSIGN_OR_RETURN(pipeline::CheckResult on_original, checker.Check(pair.original));
//     UNSPIN_ASSIGN_OR_RETURN(pipeline::CheckResult on_spun, checker.Check(pair.spun));
//     accumulator.Add(pair, on_original, on_spun);
//   }
//   pipeline::EvalReport report = accumulator.Report();
//   std::cout << pipeline::EvalReportToJson(report) << "\n";
//
// Words are the word and number tokens of text/tokenize.h, compared by their
// lookup keys (text/normalize.h: case-folded), so "Despite" and "despite" are
// the same word and "inFebruary" is one word.
#ifndef UNSPIN_PIPELINE_EVAL_H_
#define UNSPIN_PIPELINE_EVAL_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/channel/channel.h"
#include "unspin/pipeline/check.h"

namespace unspin::pipeline {

// One evaluation example: a text and its spun copy.
struct EvalPair {
  std::string id;  // optional, for messages
  std::string original;
  std::string spun;
};

// Parses JSONL: one object per non-blank line with string members "original"
// and "spun" and an optional string or number "id"; other members are
// ignored. Errors: InvalidArgument naming the 1-based line number and what is
// wrong (not JSON, not an object, a missing or non-string member, invalid
// UTF-8).
Result<std::vector<EvalPair>> ParseEvalPairs(std::string_view jsonl);

// Word alignments are the channel's (channel::AlignWords: minimum word edit,
// deterministic ties, (middle_a + 1) * (middle_b + 1) bytes).
using channel::AlignOp;
using channel::AlignStep;
using channel::kMaxAlignCells;

// channel::AlignWords with OverBound::kPositional: a middle of more than
// kMaxAlignCells cells (two texts that differ almost everywhere, thousands of
// words long) is aligned position by position, an upper bound on the
// distance, never an error.
std::vector<AlignStep> AlignWords(std::span<const std::string> a, std::span<const std::string> b);

// The word-level Levenshtein distance between a and b (the number of
// non-match steps of AlignWords).
size_t WordEditDistance(std::span<const std::string> a, std::span<const std::string> b);

// The area under the ROC curve of `positives` against `negatives`: the
// probability that a random positive scores above a random negative, ties
// counting one half (Mann-Whitney U / (n_pos * n_neg)). 0.5 when either side
// is empty. O((n_pos + n_neg) log(n_pos + n_neg)).
double RocAuc(std::span<const double> positives, std::span<const double> negatives);

// Metric values and the counts they come from (docs/evaluation.md).
struct EvalReport {
  uint64_t pairs = 0;
  uint64_t original_words = 0;
  uint64_t spun_words = 0;
  // Detection: spun texts are positives, originals negatives.
  double auc = 0.5;
  double precision = 0;  // at spun_probability >= 0.5
  double recall = 0;
  double f1 = 0;
  uint64_t true_positives = 0;
  uint64_t false_positives = 0;
  // Restoration.
  uint64_t edits_before = 0;             // word edit distance original <-> spun, summed
  uint64_t edits_after = 0;              // word edit distance original <-> restored spun, summed
  double error_reduction = 0;            // 1 - edits_after / edits_before (0 when no edits before)
  uint64_t untouched_words = 0;          // spun words aligned to an identical original word
  uint64_t collateral_changes = 0;       // ... of which the restored text does not keep
  double collateral = 0;                 // collateral_changes / untouched_words
  uint64_t original_words_changed = 0;   // words of originals their restored text drops
  double false_changes = 0;              // original_words_changed / original_words
  uint64_t spinner_spans = 0;            // maximal runs of non-match steps original <-> spun
  uint64_t spans_restored = 0;           // ... restored exactly
  double exact_restoration = 0;          // spans_restored / spinner_spans
  uint64_t spans_reported_spun = 0;      // checker spans on the spun texts
  uint64_t spans_reported_original = 0;  // checker spans on the originals
};

// What happened to one spinner span (words as lookup keys, space-separated).
struct SpanOutcome {
  std::string original;  // the original words ("" for an insertion)
  std::string spun;      // the words the spinner put there ("" for a deletion)
  std::string restored;  // the words the restored text has there
  bool exact = false;    // restored exactly (see EvalReport::spans_restored)
};

// One pair's outcome, for finding out what the checker missed or broke.
struct PairOutcome {
  std::string id;
  double original_probability = 0;
  double spun_probability = 0;
  uint64_t edits_before = 0;
  uint64_t edits_after = 0;
  std::vector<SpanOutcome> spinner_spans;
  std::vector<SpunSpan> false_changes;  // checker spans on the original
  std::vector<SpunSpan> collateral;     // checker spans on the spun text changing untouched words
};

// One JSON object: id, probabilities, edits, spinner spans (original, spun,
// restored, exact), false changes and collateral as {text, original}.
std::string PairOutcomeToJson(const PairOutcome& outcome);

// Accumulates pairs and their check results. Not thread-safe.
class EvalAccumulator {
 public:
  // Adds one pair: `on_original` and `on_spun` are the checker's results for
  // pair.original and pair.spun (their spans index those texts). Returns the
  // pair's own outcome.
  PairOutcome Add(const EvalPair& pair, const CheckResult& on_original, const CheckResult& on_spun);

  EvalReport Report() const;

 private:
  EvalReport totals_;
  std::vector<double> spun_scores_;
  std::vector<double> original_scores_;
};

// One JSON object with every field of EvalReport, floats with 4 decimals.
std::string EvalReportToJson(const EvalReport& report);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_EVAL_H_
