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
// 1: first version (64-bit keys, f32 values, linear probing; 16 bytes a slot).
// 2: compact form: bucketed tables of 31-bit fingerprints with 16-bit codes
//    into per-order codebooks (8 bytes an n-gram, 6 at the top order).
inline constexpr uint32_t kLmFormatVersion = 2;

inline constexpr uint64_t kSectionHeaderBytes = 192;
inline constexpr uint64_t kArrayAlignment = 64;
// Writer's target of n-grams per bucket (the reader takes any bucket count).
inline constexpr uint64_t kNgramsPerBucket = 4;
inline constexpr uint32_t kMaxCodebookSize = 65536;

struct SectionHeader {
  uint32_t format_version;
  uint32_t order;                    // 1..kMaxOrder
  uint32_t unigram_slots;            // UnigramEntry records: max word id + 1
  uint32_t reserved0;                // 0
  uint64_t ngram_count[kMaxOrder];   // stored n-grams of order n at [n - 1]
  uint64_t buckets[kMaxOrder];       // buckets of table n at [n - 1]; [0] = 0
  uint32_t prob_bins[kMaxOrder];     // prob codebook entries of order n; [0] = 0
  uint32_t backoff_bins[kMaxOrder];  // back-off codebook entries; 0 for [0] and the top order
  uint32_t reserved1[14];            // 0
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

// An n-gram record of order n >= 2: u32 key, u16 prob code, and (below the top
// order) u16 back-off code, packed without padding (8 or 6 bytes). Key bits
// 0..30 are the fingerprint (the hash's low 31 bits); bit 31 (kKeyRelevant)
// says the n-gram, as a context, can change a later score: it is the prefix
// of a longer n-gram or has a non-zero back-off.
inline constexpr uint32_t kKeyRelevant = uint32_t{1} << 31;
inline constexpr uint32_t kFingerprintMask = kKeyRelevant - 1;
inline constexpr uint32_t kMiddleRecordBytes = 8;
inline constexpr uint32_t kTopRecordBytes = 6;

// Opaque tag for NgramModel's table pointers (records are raw bytes).
struct NgramEntry;

}  // namespace internal

inline uint64_t AlignUp64(uint64_t offset) {
  return (offset + kArrayAlignment - 1) / kArrayAlignment * kArrayAlignment;
}

// N-gram hash: chained over the words from the most recent to the oldest, so
// that extending a history by one older word is one step.
inline constexpr uint64_t kHashSeed = 0x6c6d6e67'756e7370ULL;  // "unsp" "lmng"

inline uint64_t HashFirst(uint32_t word) { return XXH3_64bits_withSeed(&word, 4, kHashSeed); }
inline uint64_t HashExtend(uint64_t hash, uint32_t older_word) {
  return XXH3_64bits_withSeed(&older_word, 4, hash);
}
inline uint32_t FingerprintOf(uint64_t hash) {
  return static_cast<uint32_t>(hash) & internal::kFingerprintMask;
}
// Bucket of a hash: the high bits of hash * buckets (Lemire's fast range).
inline uint64_t BucketOf(uint64_t hash, uint64_t buckets) {
  __extension__ typedef unsigned __int128 Uint128;
  return static_cast<uint64_t>((static_cast<Uint128>(hash) * buckets) >> 64);
}

}  // namespace unspin::lm

#endif  // UNSPIN_LM_LAYOUT_H_
