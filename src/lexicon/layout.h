// The one definition of the lexicon section layouts, shared by the writer
// (lexicon_builder.cc) and the reader (lexicon.cc). Specified in
// docs/formats/lexicon.md; keep the two in step.
#ifndef UNSPIN_LEXICON_LAYOUT_H_
#define UNSPIN_LEXICON_LAYOUT_H_

#include <cstdint>
#include <span>

#include "unspin/base/section_file.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lexicon::internal {

inline constexpr uint32_t kEntriesTag = SectionTag("LXEN");
inline constexpr uint32_t kEdgesTag = SectionTag("LXED");
inline constexpr uint32_t kMorphologyTag = SectionTag("LXMO");

// Version of the three section layouts, stored in each section header.
// 1: initial layout.
inline constexpr uint32_t kLayoutVersion = 1;

// LXEN: header, u32 word_offsets[entry_count + 1], u32 words[word_total],
// u32 slots[slot_count], u8 pos_masks[entry_count].
struct EntriesHeader {
  uint32_t layout_version;
  uint32_t entry_count;
  uint32_t word_total;     // sum of entry lengths
  uint32_t slot_count;     // power of two, > entry_count
  uint32_t word_id_limit;  // every stored WordId is below this (the vocabulary size)
  uint32_t reserved[3];
};
static_assert(sizeof(EntriesHeader) == 32);

// LXED: header, u32 edge_offsets[entry_count + 1], Edge edges[edge_count].
struct EdgesHeader {
  uint32_t layout_version;
  uint32_t entry_count;
  uint32_t edge_count;
  uint32_t reserved;
};
static_assert(sizeof(EdgesHeader) == 16);

// LXMO: header, ReadingRecord readings[reading_count],
// InflectionRecord inflections[inflection_count].
struct MorphologyHeader {
  uint32_t layout_version;
  uint32_t reading_count;
  uint32_t inflection_count;
  uint32_t word_id_limit;
};
static_assert(sizeof(MorphologyHeader) == 16);

}  // namespace unspin::lexicon::internal

#endif  // UNSPIN_LEXICON_LAYOUT_H_
