// Training of back-off n-gram language models with interpolated modified
// Kneser-Ney smoothing (Chen & Goodman 1998), in two stages:
//
//   1. counting: NgramCounter takes sentences of WordIds and produces
//      WindowCounts, the distinct order-N windows with their counts;
//   2. estimation: EstimateKneserNey turns WindowCounts into a BackoffLm,
//      ARPA-style log10 probabilities and back-off weights for every n-gram.
//
// The stages meet only in WindowCounts (sorted packed windows + counts); the
// counter spills sorted runs to disk past a memory budget (CounterOptions).
//
//   VocabularyBuilder vocab;
//   UNSPIN_ASSIGN_OR_RETURN(NgramCounter counter, NgramCounter::Create(4));
//   std::vector<WordId> sentence = {vocab.Intern("the"), vocab.Intern("cat")};
//   UNSPIN_RETURN_IF_ERROR(counter.AddSentence(sentence));  // no <s> / </s>
//   UNSPIN_ASSIGN_OR_RETURN(WindowCounts counts, std::move(counter).Finish());
//   UNSPIN_ASSIGN_OR_RETURN(BackoffLm lm, EstimateKneserNey(counts, vocab.size()));
//   NgramModelBuilder builder(lm.order);
//   lm.AddTo(&builder);
#ifndef UNSPIN_LM_KNESER_NEY_H_
#define UNSPIN_LM_KNESER_NEY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/lm/ngram_model.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lm {

inline constexpr int kMinTrainOrder = 2;
inline constexpr int kMaxTrainOrder = kMaxOrder;

// Word ids in a packed window take kPackedWordBits bits each; larger ids are
// refused with ResourceExhausted.
inline constexpr int kPackedWordBits = 25;
inline constexpr uint32_t kMaxPackedWord = (uint32_t{1} << kPackedWordBits) - 1;

// An n-gram of 1..kMaxOrder word ids in 128 bits: its length n in bits
// 125..127, word i (oldest first, i = 0..n-1) in bits 25(n-1-i) .. 25(n-i)-1.
// Numeric order is therefore by length, then lexicographic (oldest word
// first), so n-grams that share a history are adjacent.
__extension__ typedef unsigned __int128 PackedNgram;

inline constexpr int kPackedLengthShift = 125;

// Packs 1..kMaxOrder ids, each <= kMaxPackedWord (checked by the caller).
inline PackedNgram PackNgram(std::span<const WordId> words) {
  PackedNgram packed = 0;
  for (WordId word : words) packed = (packed << kPackedWordBits) | ToIndex(word);
  return packed | (static_cast<PackedNgram>(words.size()) << kPackedLengthShift);
}
inline int PackedLength(PackedNgram packed) {
  return static_cast<int>(packed >> kPackedLengthShift);
}
// Word i (0 = oldest) of a packed n-gram.
inline WordId PackedWord(PackedNgram packed, int i) {
  int shift = kPackedWordBits * (PackedLength(packed) - 1 - i);
  return WordId{static_cast<uint32_t>(packed >> shift) & kMaxPackedWord};
}

// The counting stage's product: every distinct window of up to `order` words
// over the training sentences, with its count. Each sentence is
// <s> w_1 .. w_k </s>; one window ends at each predicted word (w_1 .. w_k and
// </s>) and reaches back `order` words or to the <s>, whichever comes first.
// So a window is an n-gram of `order` words or a shorter one starting with
// <s>. Sorted by packed value, distinct; counts[i] belongs to windows[i].
struct WindowCounts {
  int order = 0;
  std::vector<PackedNgram> windows;
  std::vector<uint64_t> counts;
  uint64_t tokens = 0;     // words added, without <s> and </s>
  uint64_t sentences = 0;  // non-empty sentences added
};

struct CounterOptions {
  // Bytes the window buffer may use before it is sorted, collapsed and spilled
  // to a run file; 0 = never spill. Each added token takes 16 bytes.
  uint64_t memory_bytes = 0;
  // Directory for run files ("" = std::filesystem::temp_directory_path()). The
  // files are unlinked as soon as they are created, so none outlives the
  // counter, even after a crash.
  std::string temp_dir;
};

// Counts windows: 16 bytes per token in a buffer; with a memory budget, a full
// buffer is sorted, collapsed to (window, count) pairs and written to disk as
// a sorted run, and Finish merges the runs (an external merge sort, as
// KenLM's lmplz counts). The distinct windows with their counts must fit in
// memory (24 bytes each). Not thread-safe.
class NgramCounter {
 public:
  // `order` in kMinTrainOrder..kMaxTrainOrder, else InvalidArgument.
  static Result<NgramCounter> Create(int order, CounterOptions options = {});

  NgramCounter(NgramCounter&&) noexcept;
  NgramCounter& operator=(NgramCounter&&) noexcept;
  ~NgramCounter();

  // Adds one sentence of word ids (without <s> and </s>; empty sentences are
  // ignored). Errors: InvalidArgument if a word is <s> or </s>,
  // ResourceExhausted if an id exceeds kMaxPackedWord, IOError if a run
  // cannot be written (e.g. a full disk).
  Status AddSentence(std::span<const WordId> words);

  uint64_t tokens() const { return tokens_; }
  // Runs spilled to disk so far.
  int runs() const;

  // Sorts and counts (merging the runs); the counter is consumed.
  // Errors: IOError reading or writing a run.
  Result<WindowCounts> Finish() &&;

 private:
  struct Runs;
  NgramCounter(int order, CounterOptions options);
  Status Spill();

  int order_;
  CounterOptions options_;
  uint64_t buffer_limit_ = 0;         // windows; 0 = unlimited
  std::vector<PackedNgram> windows_;  // one per predicted word, unsorted
  std::unique_ptr<Runs> runs_;
  uint64_t tokens_ = 0;
  uint64_t sentences_ = 0;
};

// One n-gram of a back-off model, ARPA semantics.
struct BackoffNgram {
  std::array<WordId, kMaxOrder> words{};  // oldest first; unused tail is <unk>
  float log10_prob = 0;                   // log10 P(last word | the others)
  float log10_backoff = 0;                // weight of the n-gram as a context; 0 at the top order
};

// A back-off model as plain arrays: what the estimator produces, the ARPA
// reader reads and the ARPA writer writes.
struct BackoffLm {
  int order = 0;
  // ngrams[n - 1]: the n-grams of order n (the estimator: lexicographic word id
  // order, unigrams indexed by id; ReadArpa: file order).
  std::array<std::vector<BackoffNgram>, kMaxOrder> ngrams;

  // Adds every n-gram to `builder` (whose order must be >= `order`).
  void AddTo(NgramModelBuilder* builder) const;
  // The same, releasing each order's memory once it is added; leaves this
  // model empty.
  void MoveTo(NgramModelBuilder* builder) &&;
};

struct KneserNeyOptions {
  // Discounts used for an order whose count-of-counts give discounts outside
  // (0, k] (tiny corpora): D1, D2, D3+ (KenLM's --discount_fallback).
  std::array<double, 3> fallback_discounts = {0.5, 1.0, 1.5};
  // Drop n-grams of order >= 3 whose adjusted count is 1, except those that
  // are the context (prefix) or suffix of a kept longer n-gram. Kept n-grams
  // keep their probabilities; back-off weights are then recomputed so that
  // every history's distribution still sums to 1 (renormalisation after
  // estimation, as SRILM does when pruning).
  bool prune_singletons = false;
};

struct KneserNeyReport {
  // discounts[n - 1] = {D1, D2, D3+} of order n.
  std::array<std::array<double, 3>, kMaxOrder> discounts{};
  std::array<bool, kMaxOrder> used_fallback{};
  std::array<uint64_t, kMaxOrder> ngram_counts{};  // n-grams of order n in the result
};

// Interpolated modified Kneser-Ney (Chen & Goodman 1998, section 3; the
// variant KenLM's lmplz implements):
//   - adjusted counts a(): raw counts at the top order and for n-grams that
//     start with <s>; otherwise the number of distinct words seen before it;
//   - per order, discounts D1, D2, D3+ from the count-of-counts t1..t4 of the
//     adjusted counts: Y = t1 / (t1 + 2 t2), Dk = k - (k + 1) Y t_{k+1} / t_k;
//   - p(w | h) = (a(hw) - D(a(hw))) / Σ_x a(hx) + γ(h) p(w | h'), with
//     γ(h) = (D1 N1(h·) + D2 N2(h·) + D3+ N3+(h·)) / Σ_x a(hx) and h' the
//     history without its oldest word; the unigram distribution is
//     interpolated with the uniform distribution over the vocabulary without
//     <s> (`vocabulary_size` - 1 words), which gives <unk> (never counted) the
//     probability γ(ε) / (vocabulary_size - 1), as KenLM does.
// In back-off form the stored probability is the interpolated p and the
// back-off weight of h is γ(h). <s> gets log10 probability -99 (it is never
// predicted). Every word id below `vocabulary_size` gets a unigram.
// Errors: InvalidArgument for an empty corpus or a bad order,
// ResourceExhausted for more than 2^32 n-grams of one order.
Result<BackoffLm> EstimateKneserNey(const WindowCounts& counts, size_t vocabulary_size,
                                    const KneserNeyOptions& options = {},
                                    KneserNeyReport* report = nullptr);

}  // namespace unspin::lm

#endif  // UNSPIN_LM_KNESER_NEY_H_
