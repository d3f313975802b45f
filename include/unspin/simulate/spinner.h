// The adversary: a deterministic article spinner that rewrites text the way
// content-farm spinners do, and returns the key of every change it made, so
// that the checker can be measured on text whose original is known
// (`unspin simulate`, `unspin eval`, docs/evaluation.md).
//
//   UNSPIN_ASSIGN_OR_RETURN(auto model, model::Model::Open(path));
//   simulate::SpinOptions options;
//   options.style = simulate::Style::kPhrase;
//   options.rate = 0.25;
//   UNSPIN_ASSIGN_OR_RETURN(simulate::Spinner spinner, simulate::Spinner::Create(*model, options));
//   UNSPIN_ASSIGN_OR_RETURN(simulate::SpinResult spun, spinner.Spin(article));
//   // spun.text; spun.changes[k]: article[orig_start, orig_end) became
//   //                              spun.text[spun_start, spun_end)
//
// The styles use deliberately different dictionaries, so that a checker fitted
// on one is measured honestly on another:
// - kThesaurus: word-level swaps from MyThes synonyms only, a synonym picked
//   at random whatever its sense, re-inflected to the observed form; each
//   content word that has a synonym is swapped with probability `rate`. Fixes
//   "a"/"an" before the new word.
// - kPhrase: WordNet synsets only, phrase-level both ways ("despite" <-> "in
//   spite of", multi-word targets preferred), plus spinner artefacts, each at
//   a probability tied to `rate`: fillers after auxiliaries ("had" -> "had
//   actually"), "a"/"an" left disagreeing after a swap ("an problem"),
//   number words <-> digits ("two" -> "2"), a space dropped before a
//   capitalised word ("in February" -> "inFebruary"), expanded abbreviations
//   ("U.S." -> "United States").
// - kSparse: every N-th content word (N = round(1 / rate)), replaced by the
//   most frequent word related to it by any thesaurus relation but antonymy
//   (hypernyms, hyponyms, related terms: sloppier than synonyms).
// No style changes words inside quotation marks or capitalised words in
// mid-sentence (names), unless the options give those a probability.
#ifndef UNSPIN_SIMULATE_SPINNER_H_
#define UNSPIN_SIMULATE_SPINNER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/model/model.h"

namespace unspin::simulate {

enum class Style : uint8_t { kThesaurus = 0, kPhrase = 1, kSparse = 2 };

// "thesaurus", "phrase", "sparse".
std::string_view StyleName(Style style);
// The style named `name` (as StyleName); InvalidArgument listing the names otherwise.
Result<Style> ParseStyle(std::string_view name);

struct SpinOptions {
  Style style = Style::kThesaurus;
  // Share of eligible content words changed, in [0, 1] (kSparse: one in
  // round(1 / rate)).
  double rate = 0.25;
  // With the document index, decides every random choice.
  uint64_t seed = 1;
  // kThesaurus: a fixed dictionary, as a dictionary spinner has: whether a
  // word form is swapped, and for which synonym, is drawn once per form
  // (from the seed and the form), so every occurrence in every document
  // gets the same swap; `rate` is then the share of word forms swapped.
  bool consistent = false;
  // Probability that a word inside quotation marks may be changed at all.
  double quoted_change_probability = 0;
  // Probability that a capitalised mid-sentence word (a name) may be changed
  // (abbreviation expansion and glued tokens are artefacts and ignore this).
  double name_change_probability = 0;
};

// One change, byte offsets half-open: input[orig_start, orig_end) == original
// became text[spun_start, spun_end) == spun.
struct Change {
  uint32_t orig_start = 0;
  uint32_t orig_end = 0;
  uint32_t spun_start = 0;
  uint32_t spun_end = 0;
  std::string original;
  std::string spun;
};

struct SpinResult {
  std::string text;
  std::vector<Change> changes;  // in order, non-overlapping in both texts
};

// Spins documents with one model and one set of options. Copyable; the model
// must outlive it. Thread-safe: Spin is const and keeps no state.
class Spinner {
 public:
  // Errors: InvalidArgument when rate or a probability is outside [0, 1], or
  // consistent is set for a style other than kThesaurus.
  static Result<Spinner> Create(const model::Model& model, const SpinOptions& options);

  // Spins one document. The result depends only on the model, the options,
  // `document_index` and `input`, so a corpus spun line by line is
  // reproducible. Text between changes is copied byte for byte. Errors:
  // InvalidArgument for invalid UTF-8 (naming the byte offset) or input of
  // 2^31 bytes or more.
  Result<SpinResult> Spin(std::string_view input, uint64_t document_index = 0) const;

 private:
  Spinner(const model::Model& model, const SpinOptions& options)
      : model_(&model), options_(options) {}

  const model::Model* model_;
  SpinOptions options_;
};

// One JSON object (one line of a key file): {"document": index, "changes":
// [{"orig_start", "orig_end", "spun_start", "spun_end", "original", "spun"}]}.
std::string KeyToJson(const SpinResult& result, uint64_t document_index);

}  // namespace unspin::simulate

#endif  // UNSPIN_SIMULATE_SPINNER_H_
