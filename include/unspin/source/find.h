// Source finding: from a (possibly spun) text to the indexed documents it
// copies, with the aligned evidence; and families of copies in a collection.
//
//   source::Finder finder(*index, classes);
//   UNSPIN_ASSIGN_OR_RETURN(std::vector<source::Match> matches, finder.Find(text));
//   std::cout << source::MatchesToJson(text, matches) << "\n";
//
// Candidates come from the index's sampled shingles; every reported match is
// verified by a synonym-aware alignment of the query with the stored text, in
// which a block counts only when it holds a shingle that is not common in the
// archive (Index::common_frequency).
#ifndef UNSPIN_SOURCE_FIND_H_
#define UNSPIN_SOURCE_FIND_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::source {

// Byte ranges, half-open: in the query and in the source document.
struct SpanPair {
  uint32_t query_begin = 0;
  uint32_t query_end = 0;
  uint32_t source_begin = 0;
  uint32_t source_end = 0;
};

// A stretch of the query that follows the source in order, with the places
// where the wording differs (a spinner's substitutions, usually).
struct AlignedBlock {
  SpanPair span;
  std::vector<SpanPair> substitutions;
};

struct Alignment {
  std::vector<AlignedBlock> blocks;  // in query order, also in source order
  uint32_t query_words = 0;
  uint32_t covered_words = 0;    // query words inside blocks
  uint32_t identical_words = 0;  // of those, the same word as in the source
  double coverage = 0;           // covered_words / query_words
  // In [0, 1]: like coverage, but words the spinner changed count half, so a
  // verbatim copy scores above a spun one, and query words of a gap count
  // only as far as the source's side of the gap has as many words.
  double score = 0;
};

// The stretch of the query and of the source that an alignment's blocks
// span, first to last (all zero without blocks): where in a long source an
// excerpt comes from.
SpanPair AlignedSpan(const Alignment& alignment);

// Aligns the words of a query with those of a source document: runs of words
// of equal class (signature.h), chained in order, with short gaps of unequal
// words between them taken as substitutions. Deterministic, thread-safe.
Alignment Align(const ClassedText& query, const ClassedText& source);

// The same against a source given only as its class codes (what the index
// stores): equal classes count as identical words and spans have no byte
// offsets, so the score bounds Align's from above at a fraction of the cost.
Alignment AlignToCodes(const ClassedText& query, std::span<const uint32_t> codes);

struct Match {
  DocumentRef document;
  std::string_view id;  // views into the index, valid while it is open
  std::string_view source_text;
  std::string_view metadata;
  Alignment alignment;
};

struct FindOptions {
  size_t max_matches = 5;
  // Candidates from the shingle index that are aligned to verify them.
  size_t candidates = 8;
  // A match is reported only at this alignment score or above. Unrelated
  // texts stay far below it (docs/source.md has the measurement).
  double min_score = 0.3;
};

// Thread-safe; the index and classes must outlive the Finder.
class Finder {
 public:
  Finder(const Index& index, const WordClasses& classes, FindOptions options = {});

  // Errors: InvalidArgument for a query that is not valid UTF-8, Corruption
  // when a candidate's stored bytes are damaged.
  Result<std::vector<Match>> Find(std::string_view query) const;

  // As Find, ignoring the document `self` (for clustering an index with
  // itself). Errors: Corruption when a candidate's stored bytes are damaged.
  Result<std::vector<Match>> FindOthers(const ClassedText& query, DocumentRef self) const;

 private:
  const Index& index_;
  const WordClasses& classes_;
  FindOptions options_;
};

// The query with every substitution inside the match's aligned blocks
// replaced by the source's wording there: the spinner's changes undone from
// the archived original (text outside the blocks is kept as it is).
std::string RestoreFromMatch(std::string_view query, const Match& match);

// A document aligned with the query, and how far its wording is trusted
// (the CLI gives 1 - its spun probability).
struct Witness {
  const Match* match = nullptr;
  double weight = 0;
};

// The query restored by the votes of several documents aligned with it. At
// each stretch that one of them words differently (a substitution of its
// alignment), every wording gets the weight of the witnesses that have it
// there: a witness with a substitution of exactly that stretch votes for its
// own words; one whose block covers the stretch without a substitution votes
// for the query's, as does the query itself with `query_weight`; the others
// abstain. The heaviest wording wins, the query's on a tie. Spun copies of one
// source out-vote each other's spinner where they agree, and a source trusted
// more than the query restores it alone (RestoreFromMatch is the one-witness
// case). Text outside every block is kept.
//
// `fallback` (a model's restoration of the query: ordered, non-overlapping
// byte ranges with their replacements) fills in where the witnesses say
// nothing: a fallback change is applied unless a witness's block holds the
// query's own words there (another copy attests them) or it overlaps a
// stretch some witness words differently (the vote decided there).
struct Replacement {
  uint32_t begin = 0;  // query bytes [begin, end)
  uint32_t end = 0;
  std::string_view wording;
};
std::string RestoreByVote(std::string_view query, double query_weight,
                          std::span<const Witness> witnesses,
                          std::span<const Replacement> fallback = {});

// Vote weights for a query and two or more documents aligned with it, from
// how much each pair of the texts differs (the share of aligned words not
// spelled the same). Between two copies of one source that share is about
// the sum of their spinners' change rates, so three texts or more give each
// its own rate e (a source's is near 0), and a weight of log((1 - e) / e), e
// kept in [0.002, 0.45]: the weighted majority of independent voters (a
// source outvotes two spun copies that agree, not three).
struct VoteWeights {
  double query = 0;
  std::vector<double> witnesses;  // in the order of `matches`
  double query_rate = 0;          // the estimated own change rates
  std::vector<double> witness_rates;
};
VoteWeights WeighByAgreement(const WordClasses& classes, std::span<const Match> matches);

// {"matches": [{"id", "score", "coverage", "span": {"query": [b, e], "source":
// [b, e]}, "alignment": [{"query": [b, e], "source": [b, e], "substitutions":
// [{"query": [b, e], "source": [b, e], "query_text", "source_text"}]}]}]};
// `span` is AlignedSpan; scores with 4 decimals.
std::string MatchesToJson(std::string_view query, const std::vector<Match>& matches);

// A family of copies: every member's text aligns with the center's.
struct Cluster {
  DocumentRef center;
  std::vector<std::pair<DocumentRef, double>> members;  // with their score against the center
};

// Groups the index's documents into families. Each document is matched
// against the others (Finder::FindOthers); a family is a center with the
// documents matched to it directly, so families never grow by chains of
// resemblance. Families of one document are left out. Runs on all cores;
// `progress`, when set, is called now and then with (documents done, total),
// from one thread at a time.
using ClusterProgress = std::function<void(size_t done, size_t total)>;
// Errors: Corruption (a damaged document).
Result<std::vector<Cluster>> ClusterIndex(const Index& index, const WordClasses& classes,
                                          const FindOptions& options = {},
                                          const ClusterProgress& progress = nullptr);

}  // namespace unspin::source

#endif  // UNSPIN_SOURCE_FIND_H_
