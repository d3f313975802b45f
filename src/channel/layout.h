// The one definition of the CHAN section layout, shared by the writer
// (table_builder.cc) and the reader (channel_table.cc). Specified in
// docs/formats/channel.md; keep the two in step.
#ifndef UNSPIN_CHANNEL_LAYOUT_H_
#define UNSPIN_CHANNEL_LAYOUT_H_

#include <cstdint>
#include <span>

#include "unspin/vocab/vocabulary.h"

namespace unspin::channel::internal {

// Version of the CHAN layout, stored in the section header.
// 1: initial layout.
inline constexpr uint32_t kLayoutVersion = 1;

// CHAN: header, u32 key_offsets[phrase_count + 1], u32 key_words[key_word_total],
// u32 entry_offsets[phrase_count + 1], EntryRecord entries[entry_count],
// u32 original_words[original_word_total], u32 slots[slot_count].
struct ChannelHeader {
  uint32_t layout_version;
  uint32_t phrase_count;  // distinct spun phrases (lookup keys)
  uint32_t entry_count;   // (spun, original) entries
  uint32_t key_word_total;
  uint32_t original_word_total;
  uint32_t slot_count;      // power of two, > phrase_count
  uint32_t word_id_limit;   // every stored WordId is below this (the vocabulary size)
  uint32_t max_spun_words;  // longest key, 1..kMaxPhraseWords (0 when empty)
};
static_assert(sizeof(ChannelHeader) == 32);

struct EntryRecord {
  uint32_t original_begin;  // original words: original_words[begin .. end)
  uint32_t original_end;
  float log10_prob;  // log10 P(spun | original), in [kLog10ProbFloor, 0]
  uint32_t count;
};
static_assert(sizeof(EntryRecord) == 16);

}  // namespace unspin::channel::internal

#endif  // UNSPIN_CHANNEL_LAYOUT_H_
