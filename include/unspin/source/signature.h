// Spin-robust signatures: what stays the same when a spinner rewrites a text.
//
// A spinner swaps content words for thesaurus neighbours and leaves names,
// numbers and most function words alone. So each word is mapped to a class:
// content words to a canonical member of their synonym neighbourhood (after
// lemmatising, so "declined" and "decreased" can meet), everything else to
// itself. Shingles are pairs of consecutive content classes; a fixed share of
// them is kept by hash value ("0 mod p" sampling), so that an excerpt and its
// source keep the same shingles: containment survives, not only resemblance.
//
//   source::WordClasses classes(*model);
//   source::ClassedText doc = classes.Classify(text);
//   std::vector<uint64_t> keys;
//   source::SampledShingles(doc, kDefaultSampleModulus, &keys);
//
// docs/source.md explains the choices and their measurements.
#ifndef UNSPIN_SOURCE_SIGNATURE_H_
#define UNSPIN_SOURCE_SIGNATURE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "unspin/model/model.h"

namespace unspin::source {

// One word of a classified text.
struct ClassedWord {
  uint32_t begin;  // byte offsets into the text, half-open
  uint32_t end;
  uint64_t word_class;  // equal for words a spinner swaps for each other (often)
  uint64_t word_key;    // the lower-cased word itself (hash)
  bool content;         // not a function word: part of the shingles
};

struct ClassedText {
  std::vector<ClassedWord> words;  // word and number tokens in text order
};

// The class of every vocabulary word, computed once from the model's lexicon
// and frequencies (about 0.1 s for the default model). Words outside the
// vocabulary are their own class. Thread-safe after construction; the model
// must outlive it.
class WordClasses {
 public:
  explicit WordClasses(const model::Model& model);

  // Tokenises `text` (valid UTF-8, callers validate) and classifies its words.
  ClassedText Classify(std::string_view text) const;

  // A hash identifying the class scheme and the model it was computed from:
  // an index is only searchable with the same value.
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  const model::Model& model_;
  std::vector<uint32_t> class_of_;  // by WordId: canonical WordId of its class
  std::vector<uint8_t> function_;   // by WordId: 1 for function words
  uint64_t fingerprint_ = 0;
};

// Shingles kept in 1 of `modulus` on average.
inline constexpr uint32_t kDefaultSampleModulus = 4;

// Appends the sampled shingle keys of `text` (pairs of consecutive content
// classes, hashed), in text order, duplicates included.
void SampledShingles(const ClassedText& text, uint32_t modulus, std::vector<uint64_t>* out);

}  // namespace unspin::source

#endif  // UNSPIN_SOURCE_SIGNATURE_H_
