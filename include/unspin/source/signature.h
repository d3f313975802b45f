// Spin-robust signatures: what stays the same when a spinner rewrites a text.
//
// A spinner swaps content words for thesaurus neighbours and leaves names,
// numbers and most function words alone. So each word is mapped to a class:
// content words to a canonical member of their synonym neighbourhood (after
// lemmatising, so "declined" and "decreased" can meet), everything else to
// itself. Shingles are pairs of consecutive content classes. By default every
// one is kept (a short, heavily spun text keeps few); a smaller index keeps a
// fixed share of them by hash value ("0 mod p" sampling), so that an excerpt
// and its source keep the same shingles: containment survives, not only
// resemblance.
//
//   source::WordClasses classes(*model);
//   source::ClassedText doc = classes.Classify(text);
//   std::vector<uint64_t> keys;
//   source::SampledShingles(doc, kDefaultSampleModulus, &keys);
//
// docs/source.md explains the choices and their measurements.
#ifndef UNSPIN_SOURCE_SIGNATURE_H_
#define UNSPIN_SOURCE_SIGNATURE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "unspin/model/model.h"

namespace unspin::source {

// One word of a classified text.
struct ClassedWord {
  uint32_t begin;  // byte offsets into the text, half-open
  uint32_t end;
  uint32_t word_class;  // equal for words a spinner swaps for each other (often); < 2^31
  uint64_t word_key;    // the lower-cased word itself (hash)
  bool content;         // not a function word: part of the shingles
};

struct ClassedText {
  std::vector<ClassedWord> words;  // word and number tokens in text order
};

// Classes are 31-bit: vocabulary ids below 2^30, other words (most names)
// and numbers hashed into [2^30, 2^31) so they never meet a vocabulary class,
// numbers with bit 29 set.
inline constexpr uint32_t kOutOfVocabularyBit = uint32_t{1} << 30;
inline constexpr uint32_t kNumberBit = uint32_t{1} << 29;
inline bool IsNumber(const ClassedWord& word) {
  return (word.word_class & (kOutOfVocabularyBit | kNumberBit)) ==
         (kOutOfVocabularyBit | kNumberBit);
}

// A word's class and content flag in 32 bits, as the index stores them for
// every word of every document (bit 31: content word).
inline uint32_t ClassCode(const ClassedWord& word) {
  return word.word_class | (word.content ? uint32_t{1} << 31 : 0);
}
std::vector<uint32_t> ClassCodes(const ClassedText& text);

// The class of every vocabulary word, from the model's lexicon and
// frequencies, computed the first time the word is seen (so that opening is
// instant). Words outside the vocabulary are their own class. Thread-safe;
// the model must outlive it.
class WordClasses {
 public:
  explicit WordClasses(const model::Model& model);

  // Tokenises `text` (valid UTF-8, callers validate) and classifies its words.
  ClassedText Classify(std::string_view text) const;

  // A hash identifying the class scheme and the model sections the classes
  // come from (vocabulary, lexicon, frequencies): an index is only searchable
  // with the same value.
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  // The most frequent one-word substitute of the word's lemmas, or the word.
  uint32_t Step(uint32_t id) const;
  // Where climbing Step ends (at most 8 steps): the class representative.
  uint32_t ClassOf(uint32_t id) const;

  const model::Model& model_;
  size_t size_ = 0;
  // Filled on demand; kUnset until then. Racing threads store equal values.
  std::unique_ptr<std::atomic<uint32_t>[]> step_;
  std::unique_ptr<std::atomic<uint32_t>[]> class_of_;
  uint64_t fingerprint_ = 0;
};

// Shingles kept in 1 of `modulus` on average. Every one by default: with 1 in
// 4, a spun excerpt of 40-80 words shares a handful of shingles with its
// source, or none (docs/evaluation-find.md has the measurement).
inline constexpr uint32_t kDefaultSampleModulus = 1;

// The key of the shingle of two consecutive content classes.
uint64_t ShingleKey(uint32_t first_class, uint32_t second_class);

// Appends the sampled shingle keys of `text` (pairs of consecutive content
// classes, hashed), in text order, duplicates included.
void SampledShingles(const ClassedText& text, uint32_t modulus, std::vector<uint64_t>* out);

}  // namespace unspin::source

#endif  // UNSPIN_SOURCE_SIGNATURE_H_
