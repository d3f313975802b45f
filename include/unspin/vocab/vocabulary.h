// The word list shared by every model component: a dense WordId for each
// distinct normalised word (lower-cased, see text/normalize.h), so that the
// lexicon and the language model speak the same ids.
//
//   VocabularyBuilder builder;
//   WordId id = builder.Intern("failed");
//   std::string section = builder.Serialize();
//   UNSPIN_ASSIGN_OR_RETURN(Vocabulary vocab, Vocabulary::Open(section));
//   std::optional<WordId> found = vocab.Find("failed");
#ifndef UNSPIN_VOCAB_VOCABULARY_H_
#define UNSPIN_VOCAB_VOCABULARY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "unspin/base/status.h"

namespace unspin {

enum class WordId : uint32_t {};

inline constexpr WordId kUnknownWord{0};    // <unk>
inline constexpr WordId kSentenceBegin{1};  // <s>
inline constexpr WordId kSentenceEnd{2};    // </s>

inline uint32_t ToIndex(WordId id) { return static_cast<uint32_t>(id); }

// 64-bit hash used for vocabulary lookups (xxh3).
uint64_t HashWord(std::string_view word);

// 64-bit hash of a phrase's word ids, used by the on-disk slot tables of the
// lexicon (LXEN) and the channel (CHAN): FNV-1a over the ids (each as one
// 32-bit unit), then the MurmurHash3 64-bit finaliser. Part of those formats:
// changing it changes their bytes.
inline uint64_t HashWordIds(std::span<const WordId> words) {
  uint64_t hash = 14695981039346656037ull;
  for (WordId word : words) {
    hash ^= static_cast<uint32_t>(word);
    hash *= 1099511628211ull;
  }
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  return hash;
}

class VocabularyBuilder {
 public:
  // Starts with <unk>, <s>, </s> as ids 0, 1, 2.
  VocabularyBuilder();

  // The id of `word`, adding it if new. Ids are dense, in order of first Intern.
  WordId Intern(std::string_view word);
  std::optional<WordId> Find(std::string_view word) const;
  std::string_view Word(WordId id) const { return words_[ToIndex(id)]; }
  size_t size() const { return words_.size(); }

  // The section bytes (format: docs/formats/model.md, section VOCB).
  std::string Serialize() const;

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, WordId> ids_;
};

// A read-only view of a serialised vocabulary; the section bytes must outlive
// it. Thread-safe.
class Vocabulary {
 public:
  // Validates the structure (Corruption on any inconsistency).
  static Result<Vocabulary> Open(std::string_view section);

  Vocabulary() = default;
  std::optional<WordId> Find(std::string_view word) const;
  // The word of a valid id (id < size()).
  std::string_view Word(WordId id) const;
  size_t size() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }

 private:
  std::span<const uint32_t> offsets_;  // size()+1 offsets into blob_
  std::span<const uint32_t> slots_;    // open addressing: id+1, 0 = empty
  std::string_view blob_;
};

}  // namespace unspin

#endif  // UNSPIN_VOCAB_VOCABULARY_H_
