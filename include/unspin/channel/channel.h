// The learned channel: a spinner's dictionary, read off aligned pairs of an
// original text and its spun copy. Each entry says "the spinner wrote SPUN
// where the original said ORIGINAL", with log10 P(spun | original).
//
// Learning (what `unspin channel learn` does):
//
//   channel::ChannelLearner learner;
//   for (const auto& [original, spun] : pairs) learner.AddPair(original, spun);
//   channel::ChannelTableBuilder table = learner.Finish();
//   std::string tsv = table.ToTsv();                   // original<TAB>spun<TAB>count
//
// Into a model (model::BuildModel with BuildOptions::channel_path) and back:
//
//   writer.Add(channel::kChannelTag, table.Serialize(&vocabulary_builder));
//   UNSPIN_ASSIGN_OR_RETURN(channel::ChannelTable channel, channel::ChannelTable::Open(file));
//
// Decoding: for observed words w[i..j) of a sentence (as WordIds of the
// model's vocabulary, j - i <= channel.max_spun_words()):
//
//   for (const channel::Candidate& c : channel.Lookup(std::span(w).subspan(i, j - i))) {
//     // c.original: the words the spinner most likely replaced; c.log10_prob: log10
//     P(w|c.original)
//   }
//
// Words are the word and number tokens of text::Tokenize, under their lookup
// keys (text::AppendLookupKey: case-folded), so phrases never hold
// punctuation. Section layout: docs/formats/channel.md.
#ifndef UNSPIN_CHANNEL_CHANNEL_H_
#define UNSPIN_CHANNEL_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unspin/base/section_file.h"
#include "unspin/base/status.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::channel {

inline constexpr uint32_t kChannelTag = SectionTag("CHAN");
// Longest phrase on either side of an entry, in words.
inline constexpr size_t kMaxPhraseWords = 3;
// log10 P(spun | original) never goes below this.
inline constexpr float kLog10ProbFloor = -6.0f;
// Default memory bound of one alignment: (n + 1) * (m + 1) one-byte cells of
// the differing middle of the two word sequences (64 MiB).
inline constexpr uint64_t kMaxAlignCells = uint64_t{1} << 26;

// ---------------------------------------------------------------------------
// Alignment

// The words of a text: lookup keys of its word and number tokens, with the
// sentence and the bytes each comes from.
struct TextWords {
  std::vector<std::string> keys;
  std::vector<uint32_t> sentences;  // same size as keys; non-decreasing
  std::vector<uint32_t> begins;     // same size as keys: the token's half-open
  std::vector<uint32_t> ends;       // byte range in the text
};

// The word and number tokens of `text` (valid UTF-8; ill-formed bytes never
// form words) in order, without any whitespace NFKC put into a key (U+00A8
// "¨" becomes " ̈"). Thread-safe.
TextWords SplitWords(std::string_view text);

enum class AlignOp : uint8_t {
  kMatch,       // a[i] == b[j]
  kSubstitute,  // a[i] replaced by b[j]
  kDelete,      // a[i] has no counterpart in b
  kInsert,      // b[j] has no counterpart in a
};

struct AlignStep {
  AlignOp op;
  uint32_t a;  // index into a (for kInsert: the number of a-words before it)
  uint32_t b;  // index into b (for kDelete: the number of b-words before it)
  friend bool operator==(const AlignStep&, const AlignStep&) = default;
};

// What AlignWords does with a differing middle of more than max_cells cells.
enum class OverBound : uint8_t {
  kError,       // ResourceExhausted
  kPositional,  // align it position by position (substitutions, then deletions
                // or insertions): an upper bound on the distance, never an error
};

// A minimum word edit (Levenshtein, unit costs) alignment of `a` with `b`,
// steps in order. Common prefixes and suffixes are matched directly; the
// differing middle costs (n + 1) * (m + 1) bytes. Ties: the traceback from the
// end prefers match, then substitute, then delete, then insert.
// Errors: ResourceExhausted when the middle exceeds `max_cells` cells and
// `over_bound` is kError.
Result<std::vector<AlignStep>> AlignWords(std::span<const std::string> a,
                                          std::span<const std::string> b,
                                          uint64_t max_cells = kMaxAlignCells,
                                          OverBound over_bound = OverBound::kError);

// One observed substitution: the original words and what the spinner wrote.
struct PhrasePair {
  std::vector<std::string> original;  // 0..kMaxPhraseWords lookup keys
  std::vector<std::string> spun;      // 1..kMaxPhraseWords lookup keys
  friend bool operator==(const PhrasePair&, const PhrasePair&) = default;
  friend auto operator<=>(const PhrasePair&, const PhrasePair&) = default;
};

// Counts of what ExtractSubstitutions did with the differing regions.
struct ExtractStats {
  uint64_t regions = 0;          // maximal runs of non-match steps
  uint64_t regions_used = 0;     // ... that gave phrase pairs
  uint64_t regions_skipped = 0;  // ... too long, or across a sentence boundary
};

// The substitution pairs of an alignment of `original` with `spun` (steps
// from AlignWords(original.keys, spun.keys)). Each region (maximal run of
// non-match steps) with both sides 1..kMaxPhraseWords words is one pair
// ("failed" -> "stopped working", "despite" -> "in spite of"); a longer region
// made only of substitutions gives one 1:1 pair per step; a pure insertion
// or deletion of up to kMaxPhraseWords - 1 words is anchored to the matched
// word before it ("had" -> "had actually") and, separately, to the matched
// word after it ("said" -> "actually said"), within one sentence. Other
// regions are skipped. Appends to *out; `stats` may be null.
//
// With kTerms the texts are a term and the spinner's rewording of it (a
// curated list of tortured phrases): a region of 2 or more substitutions
// gives its 1:1 word pairs as well as the phrase pair ("big data" -> "huge
// information" also gives "big" -> "huge" and "data" -> "information"), so
// that what one term teaches carries over to others that share a word swap.
enum class PairKind { kText, kTerms };
void ExtractSubstitutions(const TextWords& original, const TextWords& spun,
                          std::span<const AlignStep> steps, std::vector<PhrasePair>* out,
                          ExtractStats* stats, PairKind kind = PairKind::kText);

// ---------------------------------------------------------------------------
// The table under construction

// Counts of (original phrase, spun phrase) pairs; phrases are lookup keys
// joined by single spaces. A row whose spun phrase equals its original counts
// occurrences the spinner left unchanged: it feeds the denominator of
// P(spun | original) and is not stored in the model section. Not thread-safe.
class ChannelTableBuilder {
 public:
  // Adds `count` observations. Errors: InvalidArgument when a side is too
  // long, spun is empty, a word is empty or holds whitespace.
  Status Add(std::span<const std::string> original, std::span<const std::string> spun,
             uint64_t count);

  // Merges a TSV table: an optional header line "original<TAB>spun<TAB>count",
  // '#' comment lines and blank lines skipped, then rows of exactly three
  // fields. Phrases are tokenised like running text (word and number tokens,
  // case-folded: "Stopped Working" reads as "stopped working"); counts are
  // positive integers. Errors: InvalidArgument naming `name` and the 1-based
  // line (bad UTF-8, wrong field count, bad count, phrase length).
  Status ReadTsv(std::string_view tsv, std::string_view name);

  // Drops substitution rows seen fewer than `min_count` times (alignment
  // noise: a rewritten sentence gives one-off pairs), then the unchanged rows
  // of originals left without a substitution. Returns the rows dropped.
  size_t Prune(uint64_t min_count);

  // Drops the rows with a word `known` rejects, then the unchanged rows of
  // originals left without a substitution. Returns the rows dropped.
  size_t RetainRows(const std::function<bool(std::string_view)>& known);

  // The table as TSV: the header line, then one row per (original, spun),
  // sorted by count (descending), original, spun. ReadTsv reads it back.
  std::string ToTsv() const;

  // The CHAN section (docs/formats/channel.md). Every word is interned into
  // `vocabulary`, which must be serialised afterwards. log10 P(spun | original)
  // = log10(count / sum of the counts of every row with that original,
  // unchanged rows included), floored at kLog10ProbFloor.
  std::string Serialize(VocabularyBuilder* vocabulary) const;

  // (original, spun) -> count, phrases joined by spaces.
  const std::map<std::pair<std::string, std::string>, uint64_t>& rows() const { return rows_; }
  // Rows whose spun phrase differs from the original.
  size_t substitution_count() const;

 private:
  void DropOrphanedUnchangedRows();

  std::map<std::pair<std::string, std::string>, uint64_t> rows_;
};

// Statistics of a ChannelLearner.
struct LearnStats {
  uint64_t pairs = 0;          // pairs given to AddPair
  uint64_t pairs_aligned = 0;  // ... aligned (the rest were too long to align)
  uint64_t identical = 0;      // ... whose words were identical
  ExtractStats regions;
  uint64_t substitutions = 0;  // phrase pairs found (with multiplicity)
};

// Learns a table from (original, spun) text pairs: aligns each (by sentence
// when the whole texts exceed the alignment memory bound and have the same
// number of sentences), extracts substitutions, and at Finish counts how
// often every substituted original phrase occurs in all the originals, so
// that the unchanged occurrences enter the table as unchanged rows. Keeps the
// originals' words (4 bytes a word) until Finish. Not thread-safe.
class ChannelLearner {
 public:
  explicit ChannelLearner(uint64_t max_align_cells = kMaxAlignCells)
      : max_align_cells_(max_align_cells) {}

  // Texts must be valid UTF-8 (invalid bytes never form words).
  void AddPair(std::string_view original, std::string_view spun, PairKind kind = PairKind::kText);
  const LearnStats& stats() const { return stats_; }
  // The table; the learner is left empty.
  ChannelTableBuilder Finish();

 private:
  uint64_t max_align_cells_;
  LearnStats stats_;
  std::map<PhrasePair, uint64_t> substitutions_;
  std::map<std::string, uint32_t, std::less<>> word_ids_;
  // Interned words of every original; kSentenceBreak between sentences and documents.
  std::vector<uint32_t> original_words_;
};

// ---------------------------------------------------------------------------
// The table in a model

// One original the spinner may have replaced by the looked-up words.
struct Candidate {
  std::span<const WordId> original;  // the original words; empty: the observed words were inserted
  float log10_prob = 0;              // log10 P(observed | original), <= 0
  uint32_t count = 0;                // times seen in the training pairs
};

// A read-only view of a CHAN section; the section bytes (the SectionFile or
// string it came from) must outlive it and every span it returns. Copyable;
// thread-safe.
class ChannelTable {
 public:
  // The CHAN section of `file`. Errors: NotFound when there is none (callers
  // that can work without a channel treat that as an empty table),
  // VersionMismatch, Corruption.
  static Result<ChannelTable> Open(const SectionFile& file);
  // The same from the section bytes (4-byte aligned). Validates every offset,
  // id and probability, so that no lookup can read out of bounds.
  static Result<ChannelTable> OpenSection(std::string_view section);

  ChannelTable() = default;  // empty: every Lookup returns nothing

  // The originals for the observed phrase `spun` (WordIds of the model's
  // vocabulary), most probable first (then by count, then by words); empty
  // when the table has no such phrase, or spun is empty or longer than
  // max_spun_words(). One hash probe sequence; no allocation.
  std::span<const Candidate> Lookup(std::span<const WordId> spun) const;

  // Spun phrases, indexed 0..phrase_count()-1, in the section's order.
  size_t phrase_count() const { return key_offsets_.empty() ? 0 : key_offsets_.size() - 1; }
  std::span<const WordId> SpunWords(size_t phrase) const;
  std::span<const Candidate> Candidates(size_t phrase) const;
  size_t entry_count() const { return candidates_.size(); }
  // Longest spun phrase in words (0 for an empty table): longer spans need no lookup.
  size_t max_spun_words() const { return max_spun_words_; }
  // Every stored WordId is below this (the vocabulary size at build time).
  uint32_t word_id_limit() const { return word_id_limit_; }

 private:
  std::span<const uint32_t> key_offsets_;  // phrase_count + 1
  std::span<const WordId> key_words_;
  std::span<const uint32_t> entry_offsets_;  // phrase_count + 1
  std::span<const uint32_t> slots_;
  std::vector<Candidate> candidates_;  // spans into the section's original words
  size_t max_spun_words_ = 0;
  uint32_t word_id_limit_ = 0;
};

}  // namespace unspin::channel

#endif  // UNSPIN_CHANNEL_CHANNEL_H_
