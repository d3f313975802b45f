// Section layout (all little-endian, offsets from the section start):
//   u32 word_count, u32 slot_count (power of two, > 2 * word_count), u64 blob_bytes
//   u32 offsets[word_count + 1]   (offsets[0] = 0, non-decreasing, last = blob_bytes)
//   u32 slots[slot_count]         (linear probing on HashWord; id + 1, 0 = empty)
//   char blob[blob_bytes]
#include "unspin/vocab/vocabulary.h"

#include <xxhash.h>

#include "unspin/base/section_file.h"

namespace unspin {

uint64_t HashWord(std::string_view word) { return XXH3_64bits(word.data(), word.size()); }

VocabularyBuilder::VocabularyBuilder() {
  Intern("<unk>");
  Intern("<s>");
  Intern("</s>");
}

WordId VocabularyBuilder::Intern(std::string_view word) {
  auto [it, inserted] = ids_.try_emplace(std::string(word), WordId{0});
  if (inserted) {
    it->second = WordId{static_cast<uint32_t>(words_.size())};
    words_.emplace_back(word);
  }
  return it->second;
}

std::optional<WordId> VocabularyBuilder::Find(std::string_view word) const {
  auto it = ids_.find(std::string(word));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::string VocabularyBuilder::Serialize() const {
  uint32_t slot_count = 16;
  while (slot_count <= 2 * words_.size()) slot_count *= 2;
  std::vector<uint32_t> offsets;
  std::string blob;
  offsets.push_back(0);
  for (const std::string& word : words_) {
    blob += word;
    offsets.push_back(static_cast<uint32_t>(blob.size()));
  }
  std::vector<uint32_t> slots(slot_count, 0);
  for (uint32_t id = 0; id < words_.size(); ++id) {
    uint64_t slot = HashWord(words_[id]) & (slot_count - 1);
    while (slots[slot] != 0) slot = (slot + 1) & (slot_count - 1);
    slots[slot] = id + 1;
  }
  ByteSink sink;
  sink.Put(static_cast<uint32_t>(words_.size()));
  sink.Put(slot_count);
  sink.Put(static_cast<uint64_t>(blob.size()));
  sink.PutArray(std::span<const uint32_t>(offsets));
  sink.PutArray(std::span<const uint32_t>(slots));
  sink.PutBytes(blob);
  return sink.Take();
}

Result<Vocabulary> Vocabulary::Open(std::string_view section) {
  ByteSource source(section, "vocabulary section");
  uint32_t word_count = 0;
  uint32_t slot_count = 0;
  uint64_t blob_bytes = 0;
  UNSPIN_RETURN_IF_ERROR(source.Get(&word_count));
  UNSPIN_RETURN_IF_ERROR(source.Get(&slot_count));
  UNSPIN_RETURN_IF_ERROR(source.Get(&blob_bytes));
  if (slot_count == 0 || (slot_count & (slot_count - 1)) != 0 || slot_count <= word_count) {
    return CorruptionError("vocabulary section: bad slot count " + std::to_string(slot_count));
  }
  Vocabulary vocab;
  UNSPIN_RETURN_IF_ERROR(source.GetArray(uint64_t{word_count} + 1, &vocab.offsets_));
  UNSPIN_RETURN_IF_ERROR(source.GetArray(slot_count, &vocab.slots_));
  UNSPIN_RETURN_IF_ERROR(source.GetBytes(blob_bytes, &vocab.blob_));
  if (vocab.offsets_[0] != 0 || vocab.offsets_[word_count] != blob_bytes) {
    return CorruptionError("vocabulary section: word offsets do not span the string blob");
  }
  for (uint32_t i = 0; i < word_count; ++i) {
    if (vocab.offsets_[i] > vocab.offsets_[i + 1]) {
      return CorruptionError("vocabulary section: word offsets decrease at word " +
                             std::to_string(i));
    }
  }
  return vocab;
}

std::optional<WordId> Vocabulary::Find(std::string_view word) const {
  if (slots_.empty()) return std::nullopt;
  const uint64_t mask = slots_.size() - 1;
  uint64_t slot = HashWord(word) & mask;
  // Bounded probe: a corrupt, full table must not loop forever.
  for (size_t probes = 0; probes < slots_.size(); ++probes) {
    uint32_t entry = slots_[slot];
    if (entry == 0 || entry > size()) return std::nullopt;
    if (Word(WordId{entry - 1}) == word) return WordId{entry - 1};
    slot = (slot + 1) & mask;
  }
  return std::nullopt;
}

std::string_view Vocabulary::Word(WordId id) const {
  uint32_t index = ToIndex(id);
  UNSPIN_DCHECK(index < size());
  return blob_.substr(offsets_[index], offsets_[index + 1] - offsets_[index]);
}

}  // namespace unspin
