// ChannelTable: the read-only view of a CHAN section.
//
// Invariants established by OpenSection and relied on by every lookup:
// - key_offsets_ and entry_offsets_ have phrase_count + 1 values, start at 0,
//   strictly increase (no empty key, no key without entries) and end at the
//   size of key_words_ / candidates_; no key is longer than max_spun_words_,
//   which is at most kMaxPhraseWords.
// - every candidate's original words lie inside the section's original word
//   array and number at most kMaxPhraseWords; its log10_prob is in
//   [kLog10ProbFloor, 0].
// - every stored WordId is below word_id_limit_.
// - slots_ has a power-of-two size > phrase_count; a non-empty slot holds
//   phrase + 1 <= phrase_count. Probing is bounded by the slot count.
#include <algorithm>
#include <cmath>
#include <limits>

#include "channel/layout.h"
#include "unspin/channel/channel.h"

namespace unspin::channel {
namespace {

Status Corrupt(std::string_view what) {
  return CorruptionError("channel section CHAN: " + std::string(what) +
                         "; rebuild the model (unspin model build --channel TABLE.tsv)");
}

Status CheckOffsets(std::span<const uint32_t> offsets, uint64_t total, size_t max_step,
                    std::string_view what) {
  if (offsets.front() != 0 || offsets.back() != total) {
    return Corrupt(std::string(what) + " offsets do not span the array");
  }
  for (size_t k = 1; k < offsets.size(); ++k) {
    if (offsets[k] <= offsets[k - 1] || offsets[k] - offsets[k - 1] > max_step) {
      return Corrupt(std::string(what) + " offset " + std::to_string(k) + " out of order");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ChannelTable> ChannelTable::Open(const SectionFile& file) {
  Result<std::string_view> bytes = file.Section(kChannelTag);
  if (!bytes.ok()) {
    return bytes.status().WithContext(file.path() + " has no channel section CHAN");
  }
  Result<ChannelTable> table = OpenSection(*bytes);
  if (!table.ok()) return table.status().WithContext(file.path());
  return table;
}

Result<ChannelTable> ChannelTable::OpenSection(std::string_view section) {
  ByteSource source(section, "channel section CHAN");
  internal::ChannelHeader header{};
  UNSPIN_RETURN_IF_ERROR(source.Get(&header));
  if (header.layout_version != internal::kLayoutVersion) {
    return VersionMismatchError("channel section CHAN: layout version " +
                                std::to_string(header.layout_version) + ", this build reads " +
                                std::to_string(internal::kLayoutVersion) +
                                "; rebuild the model with this version of unspin");
  }
  ChannelTable table;
  std::span<const uint32_t> key_words, original_words;
  std::span<const internal::EntryRecord> records;
  UNSPIN_RETURN_IF_ERROR(source.GetArray(uint64_t{header.phrase_count} + 1, &table.key_offsets_));
  UNSPIN_RETURN_IF_ERROR(source.GetArray(header.key_word_total, &key_words));
  UNSPIN_RETURN_IF_ERROR(source.GetArray(uint64_t{header.phrase_count} + 1, &table.entry_offsets_));
  UNSPIN_RETURN_IF_ERROR(source.GetArray(header.entry_count, &records));
  UNSPIN_RETURN_IF_ERROR(source.GetArray(header.original_word_total, &original_words));
  UNSPIN_RETURN_IF_ERROR(source.GetArray(header.slot_count, &table.slots_));
  if (source.remaining() != 0) return Corrupt("trailing bytes after the slot table");

  if (header.max_spun_words > kMaxPhraseWords) return Corrupt("max_spun_words too large");
  if ((header.phrase_count == 0) != (header.max_spun_words == 0)) {
    return Corrupt("max_spun_words does not match the phrase count");
  }
  UNSPIN_RETURN_IF_ERROR(
      CheckOffsets(table.key_offsets_, header.key_word_total, header.max_spun_words, "key"));
  UNSPIN_RETURN_IF_ERROR(CheckOffsets(table.entry_offsets_, header.entry_count,
                                      std::numeric_limits<uint32_t>::max(), "entry"));
  for (uint32_t word : key_words) {
    if (word >= header.word_id_limit) return Corrupt("key word id out of range");
  }
  for (uint32_t word : original_words) {
    if (word >= header.word_id_limit) return Corrupt("original word id out of range");
  }
  const uint32_t slot_count = header.slot_count;
  if (slot_count == 0 || (slot_count & (slot_count - 1)) != 0 ||
      slot_count <= header.phrase_count) {
    return Corrupt("slot count is not a power of two above the phrase count");
  }
  for (uint32_t slot : table.slots_) {
    if (slot > header.phrase_count) return Corrupt("slot holds a phrase out of range");
  }

  table.key_words_ =
      std::span<const WordId>(reinterpret_cast<const WordId*>(key_words.data()), key_words.size());
  const WordId* originals = reinterpret_cast<const WordId*>(original_words.data());
  table.candidates_.reserve(records.size());
  for (size_t k = 0; k < records.size(); ++k) {
    const internal::EntryRecord& record = records[k];
    if (record.original_begin > record.original_end ||
        record.original_end > header.original_word_total ||
        record.original_end - record.original_begin > kMaxPhraseWords) {
      return Corrupt("entry " + std::to_string(k) + " has original words out of range");
    }
    if (!(record.log10_prob >= kLog10ProbFloor && record.log10_prob <= 0.0f)) {
      return Corrupt("entry " + std::to_string(k) + " has a probability out of range");
    }
    table.candidates_.push_back(
        {std::span<const WordId>(originals + record.original_begin,
                                 record.original_end - record.original_begin),
         record.log10_prob, record.count});
  }
  table.max_spun_words_ = header.max_spun_words;
  table.word_id_limit_ = header.word_id_limit;
  return table;
}

std::span<const Candidate> ChannelTable::Lookup(std::span<const WordId> spun) const {
  if (spun.empty() || spun.size() > max_spun_words_ || slots_.empty()) return {};
  const size_t mask = slots_.size() - 1;
  size_t slot = HashWordIds(spun) & mask;
  for (size_t probe = 0; probe < slots_.size(); ++probe, slot = (slot + 1) & mask) {
    uint32_t value = slots_[slot];
    if (value == 0) return {};
    std::span<const WordId> stored = SpunWords(value - 1);
    if (std::equal(stored.begin(), stored.end(), spun.begin(), spun.end())) {
      return Candidates(value - 1);
    }
  }
  return {};
}

std::span<const WordId> ChannelTable::SpunWords(size_t phrase) const {
  if (phrase >= phrase_count()) return {};
  return key_words_.subspan(key_offsets_[phrase], key_offsets_[phrase + 1] - key_offsets_[phrase]);
}

std::span<const Candidate> ChannelTable::Candidates(size_t phrase) const {
  if (phrase >= phrase_count()) return {};
  return std::span<const Candidate>(candidates_)
      .subspan(entry_offsets_[phrase], entry_offsets_[phrase + 1] - entry_offsets_[phrase]);
}

}  // namespace unspin::channel
