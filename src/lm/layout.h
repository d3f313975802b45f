// The one definition of the "LMNG" section layout (docs/formats/lm.md), shared
// by NgramModelBuilder::Serialize and NgramModel::Open, plus the n-gram key
// hash both sides must agree on.
#ifndef UNSPIN_LM_LAYOUT_H_
#define UNSPIN_LM_LAYOUT_H_

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>

#include "unspin/lm/ngram_model.h"

namespace unspin::lm {

// Bump with a changelog line in docs/formats/lm.md.
// 1: first version.
inline constexpr uint32_t kLmFormatVersion = 1;

inline constexpr uint64_t kSectionHeaderBytes = 128;
inline constexpr uint64_t kTableAlignment = 64;

struct SectionHeader {
  uint32_t format_version;
  uint32_t order;                   // 1..kMaxOrder
  uint32_t unigram_slots;           // UnigramEntry records: max word id + 1
  uint32_t reserved0;               // 0
  uint64_t ngram_count[kMaxOrder];  // stored n-grams of order n at [n - 1]
  uint64_t capacity[kMaxOrder];     // NgramEntry slots of order n at [n - 1]; [0] = 0
  uint32_t max_probe[kMaxOrder];    // longest probe distance in table n; [0] = 0
  uint32_t reserved1[3];            // 0
};
static_assert(sizeof(SectionHeader) == kSectionHeaderBytes);

namespace internal {

inline constexpr uint32_t kUnigramPresent = 1;   // the word is in the model
inline constexpr uint32_t kUnigramRelevant = 2;  // kept in LmState (see kKeyRelevant)

struct UnigramEntry {
  float log10_prob;     // 0 when not present
  float log10_backoff;  // 0 when not present
  uint32_t flags;       // kUnigram*
};
static_assert(sizeof(UnigramEntry) == 12);

// key: 0 = empty slot. Otherwise bits 0..62 are (hash | 1) of the n-gram and
// bit 63 (kKeyRelevant) says the n-gram, as a context, can change a later
// score: it is the prefix of a longer n-gram or has a non-zero back-off.
inline constexpr uint64_t kKeyRelevant = uint64_t{1} << 63;
inline constexpr uint64_t kKeyHashMask = ~kKeyRelevant;

struct NgramEntry {
  uint64_t key;
  float log10_prob;
  float log10_backoff;  // 0 for the highest order
};
static_assert(sizeof(NgramEntry) == 16);

}  // namespace internal

// N-gram hash: chained over the words from the most recent to the oldest, so
// that extending a history by one older word is one step.
inline constexpr uint64_t kHashSeed = 0x6c6d6e67'756e7370ULL;  // "unsp" "lmng"

inline uint64_t HashFirst(uint32_t word) { return XXH3_64bits_withSeed(&word, 4, kHashSeed); }
inline uint64_t HashExtend(uint64_t hash, uint32_t older_word) {
  return XXH3_64bits_withSeed(&older_word, 4, hash);
}
inline uint64_t KeyOf(uint64_t hash) { return (hash & internal::kKeyHashMask) | 1; }
// First probe slot: the high bits of hash * capacity (Lemire's fast range).
inline uint64_t HomeSlot(uint64_t hash, uint64_t capacity) {
  __extension__ typedef unsigned __int128 Uint128;
  return static_cast<uint64_t>((static_cast<Uint128>(hash) * capacity) >> 64);
}

}  // namespace unspin::lm

#endif  // UNSPIN_LM_LAYOUT_H_
