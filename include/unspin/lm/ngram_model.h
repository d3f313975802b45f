// Back-off n-gram language model (Katz / ARPA semantics) over the shared
// vocabulary: a builder that collects n-grams and serialises them into the
// "LMNG" section, and a zero-copy, memory-mapped view that scores words.
// Layout: docs/formats/lm.md.
//
//   NgramModelBuilder builder(3);
//   builder.Add(std::array{kSentenceBegin, the}, -1.2f, -0.3f);  // oldest word first
//   ...
//   std::string section = builder.Serialize();
//   UNSPIN_ASSIGN_OR_RETURN(NgramModel model, NgramModel::Open(section));
//   LmState state = model.BeginSentence();
//   float log10_prob = 0;
//   for (WordId word : sentence) log10_prob += model.Score(state, word, &state);
//   log10_prob += model.EndSentenceScore(state);
#ifndef UNSPIN_LM_NGRAM_MODEL_H_
#define UNSPIN_LM_NGRAM_MODEL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lm {

inline constexpr int kMaxOrder = 5;

namespace internal {
struct UnigramEntry;  // section records, defined in src/lm/layout.h
}  // namespace internal

// The part of the history that can still change future scores. A small value:
// a lattice decoder merges paths whose states compare equal.
struct LmState {
  std::array<WordId, kMaxOrder - 1> context{};  // most recent word first
  uint8_t length = 0;                           // words of `context` in use

  // Compares only the first `length` words.
  bool operator==(const LmState& other) const {
    if (length != other.length) return false;
    for (int i = 0; i < length; ++i) {
      if (context[i] != other.context[i]) return false;
    }
    return true;
  }
};

// Hashes the same words operator== compares.
struct LmStateHash {
  size_t operator()(const LmState& state) const {
    uint64_t hash = 0x9e3779b97f4a7c15ULL ^ state.length;
    for (int i = 0; i < state.length; ++i) {
      hash = (hash ^ ToIndex(state.context[i])) * 0xbf58476d1ce4e5b9ULL;
      hash ^= hash >> 31;
    }
    return static_cast<size_t>(hash);
  }
};

// Collects n-grams with their ARPA weights and writes the "LMNG" section.
// Not thread-safe.
class NgramModelBuilder {
 public:
  // `order`: the longest n-gram, 1..kMaxOrder (a bad order is a bug: aborts).
  explicit NgramModelBuilder(int order);

  // Adds one n-gram, `words` oldest first (1 <= size <= order, else aborts),
  // with log10 P(last | rest) and the log10 back-off weight of the n-gram as a
  // context (ignored for n == order). Adding the same words again replaces the
  // weights.
  void Add(std::span<const WordId> words, float log10_prob, float log10_backoff);

  int order() const { return order_; }
  // Distinct n-grams of order n added so far, without those Serialize's
  // closure added (0 outside 1..order).
  uint64_t count(int n) const;

  // The section bytes. Before writing, the n-gram set is closed under prefix
  // and suffix (a missing (n-1)-gram gets its backed-off probability and a zero
  // back-off, which leaves every score unchanged), and <unk> gets the lowest unigram probability if
  // it was not added. Probabilities and back-offs of orders >= 2 are quantised to at most 65,536
  // values per order and kind (exact when an order has no more distinct values). Scores of the
  // opened model equal standard back-off over the added n-grams, up to that quantisation. Memory:
  // the records plus about 20 bytes per n-gram of the largest order, plus the result.
  std::string Serialize() const;

 private:
  struct Record {
    std::array<uint32_t, kMaxOrder> words;  // oldest first, unused tail zero
    float log10_prob;                       // NaN: a closure placeholder, set by Close()
    float log10_backoff;
  };
  void Normalize() const;
  void Close() const;

  int order_;
  mutable std::array<std::vector<Record>, kMaxOrder> records_;  // by order - 1
  mutable bool normalized_ = true;
  mutable std::array<uint64_t, kMaxOrder> closure_added_{};  // records_ added by Close()
};

// A read-only view over the bytes of an "LMNG" section, which must outlive it
// (and every copy of it). Cheap to copy. Thread-safe: all methods are const and
// touch no shared mutable state.
class NgramModel {
 public:
  // Checks the header and that every table fits the section exactly: O(1), no
  // parsing. Errors: Corruption on any structural inconsistency (truncation,
  // bad version, bad counts, misaligned bytes).
  static Result<NgramModel> Open(std::string_view section);

  // An empty model: order 0, every score kLog10ProbFloor. Only Open() gives a
  // usable model.
  NgramModel() = default;

  int order() const { return order_; }
  // Stored n-grams of order n (after the builder's closure), 0 outside 1..order.
  uint64_t NgramCount(int n) const;

  LmState BeginSentence() const;  // context = <s>
  LmState NullContext() const;    // no context

  // log10 P(word | in) with standard back-off. A word the model does not know
  // (here or in `in`) is taken as <unk>. Sets *out (which may alias `in`) to the state after
  // `word`, shortened to the longest context that can still affect a later
  // score (KenLM-style minimal state), so histories with equal futures compare
  // equal. Bounds-safe on any section that Open() accepted.
  float Score(const LmState& in, WordId word, LmState* out) const;
  // Score for many items at once: log10_probs[i] = Score(in[i], words[i],
  // &out[i]), the same values, faster because the table lookups of the items
  // overlap in memory. The spans have equal sizes (else aborts); out may be in.
  void ScoreBatch(std::span<const LmState> in, std::span<const WordId> words,
                  std::span<float> log10_probs, std::span<LmState> out) const;
  // log10 P(</s> | in).
  float EndSentenceScore(const LmState& in) const;
  // log10 P(word) from the unigram table (<unk>'s for unknown words).
  float UnigramLog10Prob(WordId word) const;

  // Returned by the empty model.
  static constexpr float kLog10ProbFloor = -99.0f;

 private:
  struct Table {
    const uint8_t* records = nullptr;         // [count] records of record_bytes
    const uint32_t* bucket_starts = nullptr;  // [buckets + 1]
    const float* prob_codebook = nullptr;     // [prob_last + 1]
    const float* backoff_codebook = nullptr;  // [backoff_last + 1]; null at the top order
    uint64_t count = 0;
    uint64_t buckets = 0;
    uint32_t record_bytes = 0;
    uint32_t prob_last = 0;
    uint32_t backoff_last = 0;
  };
  // Score in three stages, so that ScoreBatch can overlap the memory accesses
  // of many calls: hashes, then record ranges, then the records themselves.
  struct Lookup;
  void StartLookup(const LmState& in, WordId word, Lookup* lookup) const;
  void LocateLookup(Lookup* lookup) const;
  float FinishLookup(const Lookup& lookup, LmState* out) const;
  // The record of the n-gram with this hash among [begin, end) of the table, or null.
  static const uint8_t* Find(const Table& table, uint64_t hash, uint64_t begin, uint64_t end);
  uint32_t MapWord(WordId word) const;

  int order_ = 0;
  uint32_t unigram_slots_ = 0;
  const internal::UnigramEntry* unigrams_ = nullptr;  // [unigram_slots_]
  std::array<uint64_t, kMaxOrder> counts_{};
  std::array<Table, kMaxOrder> tables_{};  // [n - 1] for n >= 2
};

}  // namespace unspin::lm

#endif  // UNSPIN_LM_NGRAM_MODEL_H_
