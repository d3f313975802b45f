#include "unspin/source/find.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <thread>
#include <unordered_map>

#include "unspin/base/check.h"
#include "unspin/text/tokenize.h"
#include "unspin/text/utf8.h"

namespace unspin::source {
namespace {

// A word pair seeds runs only when it occurs at most this often in the source.
constexpr size_t kMaxSeedsPerPair = 8;
// Unequal words between two runs (on either side) that still count as a
// substitution inside one block rather than a break.
constexpr uint32_t kMaxGapWords = 8;
// A block must hold this many words of equal class to count as evidence:
// shorter ones occur between unrelated texts by chance.
constexpr uint32_t kMinBlockWords = 5;
// Candidates are aligned only when their shingle weight is at least this share
// of the best candidate's. Low, so that a verbatim copy (every shingle shared)
// does not hide heavily spun copies of the same text (a third of them shared
// or fewer); chance candidates share far less.
constexpr double kMinWeightShare = 0.1;

struct Run {
  uint32_t query;   // first word index
  uint32_t source;  // first word index
  uint32_t length;  // words
};

// The words of a source text, whole (offsets, word keys) or as the class
// codes the index stores (classes and content flags only), read in place.
struct TextWords {
  const std::vector<ClassedWord>& words;
  size_t size() const { return words.size(); }
  const ClassedWord& operator[](size_t i) const { return words[i]; }
};
struct CodeWords {
  std::span<const uint32_t> codes;
  size_t size() const { return codes.size(); }
  ClassedWord operator[](size_t i) const {
    return {0, 0, codes[i] & ~(uint32_t{1} << 31), 0, (codes[i] >> 31) != 0};
  }
};

uint64_t PairKey(const ClassedWord& a, const ClassedWord& b) {
  return a.word_class * 0x9E3779B97F4A7C15ULL ^ (b.word_class + 0x632BE59BD9B4E019ULL);
}

// Maximal runs of equal classes that start at a seed: a pair of words with at
// least one content word (function-word pairs like "of the" seed nothing).
template <typename Words>
std::vector<Run> FindRuns(const ClassedText& query, const Words& s, bool common_pairs_too) {
  const auto& q = query.words;
  std::vector<Run> runs;
  if (q.size() < 2 || s.size() < 2) return runs;
  // The query's pair keys, sorted, with a 64K-bit filter in front: most source
  // pairs are not in the query and are dropped after one bit test.
  std::vector<uint64_t> query_keys;
  query_keys.reserve(q.size());
  for (uint32_t i = 0; i + 1 < q.size(); ++i) {
    if (q[i].content || q[i + 1].content) query_keys.push_back(PairKey(q[i], q[i + 1]));
  }
  std::sort(query_keys.begin(), query_keys.end());
  query_keys.erase(std::unique(query_keys.begin(), query_keys.end()), query_keys.end());
  std::vector<uint64_t> filter(1024, 0);
  for (uint64_t key : query_keys) filter[(key >> 6) & 1023] |= uint64_t{1} << (key & 63);
  // The source positions of each query key, in source order (a counting
  // sort by the key's rank; only the source pairs the query has).
  std::vector<std::pair<uint32_t, uint32_t>> matched;  // (key rank, source position)
  // One branch per pair, taken rarely: whether a pair has a content word
  // is about as likely as not, and as a branch of its own it mispredicts.
  for (uint32_t j = 0; j + 1 < s.size(); ++j) {
    const uint64_t has_content = uint64_t{s[j].content} | uint64_t{s[j + 1].content};
    const uint64_t key = PairKey(s[j], s[j + 1]);
    if ((filter[(key >> 6) & 1023] >> (key & 63) & has_content) == 0) continue;
    const auto found = std::lower_bound(query_keys.begin(), query_keys.end(), key);
    if (found != query_keys.end() && *found == key) {
      matched.emplace_back(static_cast<uint32_t>(found - query_keys.begin()), j);
    }
  }
  std::vector<uint32_t> key_start(query_keys.size() + 1, 0);
  for (const auto& [rank, j] : matched) ++key_start[rank + 1];
  for (size_t k = 0; k < query_keys.size(); ++k) key_start[k + 1] += key_start[k];
  std::vector<uint32_t> positions(matched.size());
  std::vector<uint32_t> next(key_start.begin(), key_start.end() - 1);
  for (const auto& [rank, j] : matched) positions[next[rank]++] = j;
  // Where each diagonal's last run ended, to not start a run inside another.
  std::unordered_map<int64_t, uint32_t> diagonal_end;
  for (uint32_t i = 0; i + 1 < q.size(); ++i) {
    if (!q[i].content && !q[i + 1].content) continue;
    const size_t rank =
        std::lower_bound(query_keys.begin(), query_keys.end(), PairKey(q[i], q[i + 1])) -
        query_keys.begin();
    const auto first = positions.begin() + key_start[rank];
    const auto last = positions.begin() + key_start[rank + 1];
    // A pair this common in the source says nothing about where the copy is;
    // the rarer pairs around it find the diagonal. (A text made of nothing
    // but such pairs takes their first occurrences instead.)
    if (last - first > static_cast<ptrdiff_t>(kMaxSeedsPerPair) && !common_pairs_too) continue;
    const auto end_of_seeds = first + std::min<ptrdiff_t>(last - first, kMaxSeedsPerPair);
    for (auto seed = first; seed != end_of_seeds; ++seed) {
      const uint32_t j = *seed;
      if (q[i].word_class != s[j].word_class || q[i + 1].word_class != s[j + 1].word_class)
        continue;
      const int64_t diagonal = int64_t{j} - int64_t{i};
      auto [end, inserted] = diagonal_end.try_emplace(diagonal, 0);
      if (!inserted && i < end->second) continue;
      uint32_t start_i = i;
      uint32_t start_j = j;
      // Extend backwards over function words the seed rule skipped.
      while (start_i > 0 && start_j > 0 && (inserted || start_i > end->second) &&
             q[start_i - 1].word_class == s[start_j - 1].word_class) {
        --start_i;
        --start_j;
      }
      uint32_t length = i - start_i + 2;
      while (start_i + length < q.size() && start_j + length < s.size() &&
             q[start_i + length].word_class == s[start_j + length].word_class) {
        ++length;
      }
      end->second = start_i + length;
      runs.push_back({start_i, start_j, length});
    }
  }
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
    return a.query != b.query ? a.query < b.query : a.source < b.source;
  });
  return runs;
}

// The heaviest chain of runs increasing in both texts: a sweep in query
// order with a prefix-maximum tree over the runs' source end positions,
// O(R log R) (a tree over every source position would cost a long source's
// length for each candidate).
std::vector<Run> ChainRuns(const std::vector<Run>& runs) {
  std::vector<Run> chain;
  if (runs.empty()) return chain;
  std::vector<uint32_t> ends;
  ends.reserve(runs.size());
  for (const Run& run : runs) ends.push_back(run.source + run.length);
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  // Fenwick tree of (best chain weight, run) by the rank of the source end.
  std::vector<std::pair<uint64_t, int64_t>> tree(ends.size() + 1, {0, -1});
  auto insert = [&](uint32_t end, uint64_t weight, int64_t run) {
    const size_t rank =
        static_cast<size_t>(std::lower_bound(ends.begin(), ends.end(), end) - ends.begin());
    for (size_t i = rank + 1; i < tree.size(); i += i & (~i + 1)) {
      if (weight > tree[i].first) tree[i] = {weight, run};
    }
  };
  auto prefix_max = [&](uint32_t position) {  // over source end positions <= position
    std::pair<uint64_t, int64_t> best{0, -1};
    const size_t count =
        static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), position) - ends.begin());
    for (size_t i = count; i > 0; i -= i & (~i + 1)) {
      if (tree[i].first > best.first) best = tree[i];
    }
    return best;
  };
  std::vector<uint64_t> best(runs.size());
  std::vector<int64_t> previous(runs.size(), -1);
  // Runs by query end, to insert each one once the sweep has passed it.
  std::vector<size_t> by_end(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) by_end[r] = r;
  std::sort(by_end.begin(), by_end.end(), [&](size_t a, size_t b) {
    return runs[a].query + runs[a].length < runs[b].query + runs[b].length;
  });
  size_t inserted = 0;
  size_t best_end = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    while (inserted < by_end.size() &&
           runs[by_end[inserted]].query + runs[by_end[inserted]].length <= runs[r].query) {
      const size_t p = by_end[inserted++];
      if (p < r) insert(runs[p].source + runs[p].length, best[p], static_cast<int64_t>(p));
    }
    const auto [weight, from] = prefix_max(runs[r].source);
    best[r] = weight + runs[r].length;
    previous[r] = from;
    if (best[r] > best[best_end]) best_end = r;
  }
  for (int64_t r = static_cast<int64_t>(best_end); r >= 0; r = previous[static_cast<size_t>(r)]) {
    chain.push_back(runs[static_cast<size_t>(r)]);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

template <typename Words>
SpanPair Bytes(const ClassedText& query, uint32_t q_first, uint32_t q_end, const Words& source,
               uint32_t s_first, uint32_t s_end) {
  SpanPair span;
  // An empty side (a deletion or insertion) is an empty range at the boundary.
  span.query_begin = q_first < q_end ? query.words[q_first].begin
                     : q_first > 0   ? query.words[q_first - 1].end
                                     : 0;
  span.query_end = q_first < q_end ? query.words[q_end - 1].end : span.query_begin;
  span.source_begin = s_first < s_end ? source[s_first].begin
                      : s_first > 0   ? source[s_first - 1].end
                                      : 0;
  span.source_end = s_first < s_end ? source[s_end - 1].end : span.source_begin;
  return span;
}

// Offsets (query, source) tried when a block is extended by single content
// words beyond its outer runs: skipping up to two words on either side.
constexpr std::pair<uint32_t, uint32_t> kExtensionSteps[] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 0},
                                                             {0, 2}, {2, 1}, {1, 2}, {2, 2}};

// Extends a block's runs outwards, one equal content word at a time, within
// [q_low, q_high) x [s_low, s_high): a spun word next to the text's end or a
// gap too short to seed a run ("had actually cracked.") stays in the block.
template <typename Words>
void ExtendBlock(const ClassedText& query, const Words& s, uint32_t q_low, uint32_t q_high,
                 uint32_t s_low, uint32_t s_high, std::vector<Run>* runs) {
  const auto& q = query.words;
  for (uint32_t step = 0; step < kMaxGapWords; ++step) {
    const Run& tail = runs->back();
    const uint32_t qe = tail.query + tail.length;
    const uint32_t se = tail.source + tail.length;
    bool extended = false;
    for (const auto& [dq, ds] : kExtensionSteps) {
      if (qe + dq >= q_high || se + ds >= s_high) continue;
      if (q[qe + dq].content && q[qe + dq].word_class == s[se + ds].word_class) {
        runs->push_back({qe + dq, se + ds, 1});
        extended = true;
        break;
      }
    }
    if (!extended) break;
  }
  for (uint32_t step = 0; step < kMaxGapWords; ++step) {
    const Run& head = runs->front();
    bool extended = false;
    for (const auto& [dq, ds] : kExtensionSteps) {
      if (head.query < q_low + dq + 1 || head.source < s_low + ds + 1) continue;
      const uint32_t qi = head.query - dq - 1;
      const uint32_t sj = head.source - ds - 1;
      if (q[qi].content && q[qi].word_class == s[sj].word_class) {
        runs->insert(runs->begin(), Run{qi, sj, 1});
        extended = true;
        break;
      }
    }
    if (!extended) break;
  }
}

// Numbers changed for other numbers in a block, beyond this many, must not
// outnumber the numbers it keeps (KeepsNumbers).
constexpr uint32_t kMaxChangedNumbers = 1;

// Whether a block keeps more numbers than it changes for other numbers.
// Spinners leave numbers alone or spell them out ("two" -> "2"), never put
// one number for another; two texts of one template (two companies' earnings
// tables, "Shr 21 cts vs 10 cts ... Revs 47.4 mln vs 32.9 mln") align on the
// template's words with a different number in every gap.
template <typename Words>
bool KeepsNumbers(const ClassedText& query, const Words& source, const std::vector<Run>& runs) {
  uint32_t kept = 0;
  uint32_t changed = 0;
  for (size_t k = 0; k < runs.size(); ++k) {
    const Run& run = runs[k];
    for (uint32_t w = run.query; w < run.query + run.length; ++w) {
      kept += IsNumber(query.words[w]);
    }
    if (k + 1 == runs.size()) break;
    uint32_t query_numbers = 0;
    uint32_t source_numbers = 0;
    for (uint32_t w = run.query + run.length; w < runs[k + 1].query; ++w) {
      query_numbers += IsNumber(query.words[w]);
    }
    for (uint32_t w = run.source + run.length; w < runs[k + 1].source; ++w) {
      source_numbers += IsNumber(source[w]);
    }
    changed += std::min(query_numbers, source_numbers);
  }
  return changed <= kMaxChangedNumbers || changed <= kept;
}

// An alignment's shape: its blocks, each the runs of equal classes it chains.
// It depends on the words' classes only, so it is the same against a stored
// document's codes as against its classified text.
using Blocks = std::vector<std::vector<Run>>;

template <typename Words>
Blocks AlignBlocks(const ClassedText& query, const Words& source) {
  std::vector<Run> seeded = FindRuns(query, source, /*common_pairs_too=*/false);
  if (seeded.empty()) seeded = FindRuns(query, source, /*common_pairs_too=*/true);
  const std::vector<Run> chain = ChainRuns(seeded);

  // Group the chain into blocks: runs separated by short gaps on both sides.
  Blocks groups;
  for (size_t r = 0; r < chain.size(); ++r) {
    if (!groups.empty()) {
      const Run& a = groups.back().back();
      const Run& b = chain[r];
      if (b.query - (a.query + a.length) <= kMaxGapWords &&
          b.source - (a.source + a.length) <= kMaxGapWords) {
        groups.back().push_back(b);
        continue;
      }
    }
    groups.push_back({chain[r]});
  }
  Blocks blocks;
  uint32_t q_low = 0;
  uint32_t s_low = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<Run>& runs = groups[g];
    uint32_t equal_words = 0;
    for (const Run& run : runs) equal_words += run.length;
    const uint32_t q_high = g + 1 < groups.size() ? groups[g + 1].front().query
                                                  : static_cast<uint32_t>(query.words.size());
    const uint32_t s_high =
        g + 1 < groups.size() ? groups[g + 1].front().source : static_cast<uint32_t>(source.size());
    if (equal_words < kMinBlockWords) continue;
    ExtendBlock(query, source, q_low, q_high, s_low, s_high, &runs);
    q_low = runs.back().query + runs.back().length;
    s_low = runs.back().source + runs.back().length;
    if (!KeepsNumbers(query, source, runs)) continue;
    blocks.push_back(std::move(runs));
  }
  return blocks;
}

// A block is evidence only when at least one in this many of the pairs of
// consecutive content words (shingles) its runs align is rare in the archive.
constexpr uint32_t kPairsPerRarePair = 10;

// Whether a block's aligned shingles are rare enough in the archive to be
// evidence. A block made of common pairs ("said it is launching", "on the
// Toronto Stock Exchange"), perhaps with a chance pair or two where the form
// meets other words, is the wording of a form that hundreds of notices share:
// no evidence that the texts are related. A shingle the index did not sample
// cannot be judged, and counts as rare.
bool HoldsRareShingles(const ClassedText& query, const std::vector<Run>& runs, const Index& index) {
  uint32_t pairs = 0;
  uint32_t rare = 0;
  for (const Run& run : runs) {
    const ClassedWord* previous = nullptr;
    for (uint32_t w = run.query; w < run.query + run.length; ++w) {
      const ClassedWord& word = query.words[w];
      if (!word.content) continue;
      if (previous != nullptr) {
        const uint64_t key = ShingleKey(previous->word_class, word.word_class);
        ++pairs;
        rare += key % index.sample_modulus() != 0 ||
                index.ShingleFrequency(key) <= index.common_frequency();
      }
      previous = &word;
    }
  }
  return rare > 0 && rare * kPairsPerRarePair >= pairs;
}

// The alignment the blocks make; `exact`: the source words have word keys
// and offsets (else equal classes count as identical). Reads only the source
// words inside the blocks.
template <typename Words>
Alignment ScoreBlocks(const ClassedText& query, const Blocks& blocks, const Words& source,
                      bool exact) {
  Alignment alignment;
  alignment.query_words = static_cast<uint32_t>(query.words.size());
  const auto& q = query.words;
  const Words& s = source;
  double credit = 0;
  for (const std::vector<Run>& runs : blocks) {
    AlignedBlock block;
    // Word ranges of the last substitution, so that adjacent ones merge into
    // one ("stop" + "working" for "fail" is one change).
    uint32_t sub_q_begin = 0, sub_q_end = UINT32_MAX, sub_s_begin = 0, sub_s_end = UINT32_MAX;
    auto substitute = [&](uint32_t qa, uint32_t qb, uint32_t sa, uint32_t sb) {
      if (!block.substitutions.empty() && sub_q_end == qa && sub_s_end == sa) {
        block.substitutions.back() = Bytes(query, sub_q_begin, qb, source, sub_s_begin, sb);
      } else {
        block.substitutions.push_back(Bytes(query, qa, qb, source, sa, sb));
        sub_q_begin = qa;
        sub_s_begin = sa;
      }
      sub_q_end = qb;
      sub_s_end = sb;
    };
    const Run& first = runs.front();
    const Run& end = runs.back();
    block.span = Bytes(query, first.query, end.query + end.length, source, first.source,
                       end.source + end.length);
    for (size_t k = 0; k < runs.size(); ++k) {
      const Run& run = runs[k];
      // Inside a run the classes agree; different words are a synonym swap.
      for (uint32_t w = 0; w < run.length; ++w) {
        if (!exact || q[run.query + w].word_key == s[run.source + w].word_key) {
          ++alignment.identical_words;
          credit += 1.0;
        } else {
          substitute(run.query + w, run.query + w + 1, run.source + w, run.source + w + 1);
          credit += 0.5;
        }
      }
      alignment.covered_words += run.length;
      if (k + 1 < runs.size()) {
        const Run& next = runs[k + 1];
        const uint32_t q_gap_begin = run.query + run.length;
        const uint32_t s_gap_begin = run.source + run.length;
        if (next.query > q_gap_begin || next.source > s_gap_begin) {
          substitute(q_gap_begin, next.query, s_gap_begin, next.source);
        }
        alignment.covered_words += next.query - q_gap_begin;
        // A gap is a substitution as far as the source has words for it: a
        // spinner's phrase ("fail" -> "stop working") differs by a word or
        // two, where two notices of one form hold different material.
        credit += 0.5 * std::min(next.query - q_gap_begin, next.source - s_gap_begin);
      }
    }
    alignment.blocks.push_back(std::move(block));
  }
  if (alignment.query_words > 0) {
    alignment.coverage = static_cast<double>(alignment.covered_words) / alignment.query_words;
    alignment.score = credit / alignment.query_words;
  }
  return alignment;
}

// Classifies only words [first, end) of a stored document (and a few around
// them): tokenising starts at the last recorded word offset before `first`.
// Empty when the words found there are not the document's (its offsets are
// damaged).
std::optional<std::vector<ClassedWord>> ClassifyRange(const WordClasses& classes,
                                                      const StoredDocument& document,
                                                      uint32_t first, uint32_t end) {
  std::vector<ClassedWord> words;
  if (first >= end) return words;
  const std::span<const uint32_t> offsets = document.word_offsets;
  // Offset k belongs to word document.first_offset_word + k * stride.
  auto offset_before = [&](uint32_t word) -> size_t {
    if (word < document.first_offset_word) return SIZE_MAX;
    return (word - document.first_offset_word) / kWordOffsetStride;
  };
  const size_t start = offset_before(first);
  const uint32_t start_word =
      start == SIZE_MAX
          ? 0
          : document.first_offset_word + static_cast<uint32_t>(start) * kWordOffsetStride;
  const size_t start_byte = start == SIZE_MAX ? 0 : offsets[start];
  // Stop a whole stride past `end`, so that the cut cannot change the words
  // that are used.
  const size_t stop = offset_before(end - 1) == SIZE_MAX ? 0 : offset_before(end - 1) + 2;
  const size_t stop_byte = stop < offsets.size() ? offsets[stop] : document.text.size();
  if (start_byte > stop_byte || stop_byte > document.text.size()) return std::nullopt;
  ClassedText classed = classes.Classify(document.text.substr(start_byte, stop_byte - start_byte));
  if (classed.words.size() < end - start_word) return std::nullopt;
  for (uint32_t w = first; w < end; ++w) {
    ClassedWord word = classed.words[w - start_word];
    if (ClassCode(word) != document.codes[w]) return std::nullopt;
    word.begin += static_cast<uint32_t>(start_byte);
    word.end += static_cast<uint32_t>(start_byte);
    words.push_back(word);
  }
  return words;
}

// The source words inside an alignment's blocks, each block's words
// classified from the stored text, addressed by their index in the whole
// document (what ScoreBlocks reads). Only the blocks: an excerpt may align
// with two places thousands of words apart, and the words between them are
// not read.
struct WindowWords {
  struct Range {
    uint32_t first;
    std::vector<ClassedWord> words;
  };
  std::vector<Range> ranges;  // one per block, in source order
  const ClassedWord& operator[](size_t i) const {
    const auto range = std::partition_point(ranges.begin(), ranges.end(), [i](const Range& r) {
      return r.first + r.words.size() <= i;
    });
    return range->words[i - range->first];
  }
};

// Empty when some block's words are not the document's (its offsets are
// damaged): the caller then classifies the whole text.
std::optional<WindowWords> ClassifyBlocks(const WordClasses& classes,
                                          const StoredDocument& document, const Blocks& blocks) {
  WindowWords window;
  for (const std::vector<Run>& runs : blocks) {
    const uint32_t first = runs.front().source;
    const uint32_t end = runs.back().source + runs.back().length;
    std::optional<std::vector<ClassedWord>> words = ClassifyRange(classes, document, first, end);
    if (!words) return std::nullopt;
    window.ranges.push_back({first, std::move(*words)});
  }
  return window;
}

}  // namespace

SpanPair AlignedSpan(const Alignment& alignment) {
  if (alignment.blocks.empty()) return {};
  const SpanPair& first = alignment.blocks.front().span;
  const SpanPair& last = alignment.blocks.back().span;
  return {first.query_begin, last.query_end, first.source_begin, last.source_end};
}

Alignment Align(const ClassedText& query, const ClassedText& source) {
  const TextWords words{source.words};
  return ScoreBlocks(query, AlignBlocks(query, words), words, /*exact=*/true);
}

Alignment AlignToCodes(const ClassedText& query, std::span<const uint32_t> codes) {
  const CodeWords words{codes};
  return ScoreBlocks(query, AlignBlocks(query, words), words, /*exact=*/false);
}

Finder::Finder(const Index& index, const WordClasses& classes, FindOptions options)
    : index_(index), classes_(classes), options_(options) {}

Result<std::vector<Match>> Finder::Find(std::string_view query) const {
  UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(query));
  return FindOthers(classes_.Classify(query), {UINT32_MAX, UINT32_MAX});
}

Result<std::vector<Match>> Finder::FindOthers(const ClassedText& query, DocumentRef self) const {
  std::vector<uint64_t> keys;
  SampledShingles(query, index_.sample_modulus(), &keys);
  std::vector<Match> matches;
  const std::vector<Candidate> candidates = index_.Candidates(keys, options_.candidates + 1);
  double best_weight = 0;
  for (const Candidate& candidate : candidates) {
    if (!(candidate.document == self)) best_weight = std::max(best_weight, candidate.weight);
  }
  for (const Candidate& candidate : candidates) {
    if (candidate.document == self) continue;
    // Far weaker candidates than the best share only chance shingles; the
    // alignment would reject them, at a cost.
    if (candidate.weight < kMinWeightShare * best_weight) continue;
    UNSPIN_RETURN_IF_ERROR(index_.CheckDocument(candidate.document));
    const StoredDocument stored = index_.Document(candidate.document);
    // The alignment's shape comes from the stored classes; scored without
    // word identity it bounds the exact score from above, so most candidates
    // are rejected without reading their text. The rest have only the
    // aligned part of their text classified.
    const CodeWords codes{stored.codes};
    Blocks blocks = AlignBlocks(query, codes);
    std::erase_if(blocks, [&](const std::vector<Run>& runs) {
      return !HoldsRareShingles(query, runs, index_);
    });
    if (ScoreBlocks(query, blocks, codes, /*exact=*/false).score < options_.min_score) continue;
    const std::optional<WindowWords> window = ClassifyBlocks(classes_, stored, blocks);
    Alignment alignment;
    if (window) {
      alignment = ScoreBlocks(query, blocks, *window, /*exact=*/true);
    } else {
      // The same blocks over the whole text, classified: its words are the
      // stored codes' (the document's checksum covers both).
      const ClassedText whole = classes_.Classify(stored.text);
      if (whole.words.size() != stored.codes.size()) {
        return CorruptionError("document " + std::string(stored.id) +
                               ": its text does not give its stored class codes");
      }
      alignment = ScoreBlocks(query, blocks, TextWords{whole.words}, /*exact=*/true);
    }
    if (alignment.score < options_.min_score) continue;
    matches.push_back(
        {candidate.document, stored.id, stored.text, stored.metadata, std::move(alignment)});
  }
  std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.alignment.score > b.alignment.score;
  });
  if (matches.size() > options_.max_matches) matches.resize(options_.max_matches);
  return matches;
}

namespace {

double Round4(double value) {
  return static_cast<double>(static_cast<int64_t>(value * 10000.0 + 0.5)) / 10000.0;
}

nlohmann::json Range(uint32_t begin, uint32_t end) { return nlohmann::json::array({begin, end}); }

}  // namespace

std::string RestoreFromMatch(std::string_view query, const Match& match) {
  const Witness source{&match, 1.0};
  return RestoreByVote(query, 0.0, std::span<const Witness>(&source, 1));
}

namespace {

// A stretch of the query a witness words differently: query bytes [begin,
// end) and the witness's wording there.
struct Cut {
  uint32_t begin;
  uint32_t end;
  std::string_view wording;
};

// Substitutions longer than this (words x words) are not split.
constexpr size_t kMaxSplitCells = 4096;

// The word and number tokens of `text`.
std::vector<text::Token> WordTokens(std::string_view text) {
  std::vector<text::Token> words;
  for (const text::Token& token : text::Tokenize(text).tokens) {
    if (token.kind == text::TokenKind::kWord || token.kind == text::TokenKind::kNumber) {
      words.push_back(token);
    }
  }
  return words;
}

// A match's substitutions as cuts, split at the words both sides share (a
// longest common subsequence) and, between two shared words, word by word
// when both sides have as many words there: alignments merge nearby changes
// ("stated the steel" / "said the metal"; "pinch mental healthcare" /
// "emergency mental health care"), and votes are counted change by change.
void AppendCuts(std::string_view query, const Match& match, std::vector<Cut>* cuts) {
  for (const AlignedBlock& block : match.alignment.blocks) {
    for (const SpanPair& sub : block.substitutions) {
      const std::string_view ours = query.substr(sub.query_begin, sub.query_end - sub.query_begin);
      const std::string_view theirs =
          match.source_text.substr(sub.source_begin, sub.source_end - sub.source_begin);
      const std::vector<text::Token> a = WordTokens(ours);
      const std::vector<text::Token> b = WordTokens(theirs);
      if (a.empty() || b.empty() || a.size() * b.size() > kMaxSplitCells) {
        cuts->push_back({sub.query_begin, sub.query_end, theirs});
        continue;
      }
      auto word_a = [&](size_t i) { return ours.substr(a[i].begin, a[i].end - a[i].begin); };
      auto word_b = [&](size_t j) { return theirs.substr(b[j].begin, b[j].end - b[j].begin); };
      // lcs[i][j]: longest common subsequence of a[i..] and b[j..].
      std::vector<std::vector<uint16_t>> lcs(a.size() + 1, std::vector<uint16_t>(b.size() + 1, 0));
      for (size_t i = a.size(); i-- > 0;) {
        for (size_t j = b.size(); j-- > 0;) {
          lcs[i][j] = word_a(i) == word_b(j) ? static_cast<uint16_t>(lcs[i + 1][j + 1] + 1)
                                             : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
      }
      // Runs of unshared words between shared ones: [i0, i) of a, [j0, j) of b.
      auto emit = [&](size_t i0, size_t i, size_t j0, size_t j) {
        if (i0 == i) {
          // Words the query lacks before a shared word: inserted there, with
          // the space that follows them.
          if (j0 < j && i < a.size()) {
            const uint32_t at = sub.query_begin + a[i].begin;
            cuts->push_back({at, at, theirs.substr(b[j0].begin, b[j].begin - b[j0].begin)});
          }
          return;
        }
        if (i - i0 == j - j0) {
          for (size_t k = 0; k < i - i0; ++k) {
            cuts->push_back({sub.query_begin + a[i0 + k].begin, sub.query_begin + a[i0 + k].end,
                             word_b(j0 + k)});
          }
          return;
        }
        const std::string_view wording =
            j0 == j ? std::string_view() : theirs.substr(b[j0].begin, b[j - 1].end - b[j0].begin);
        cuts->push_back({sub.query_begin + a[i0].begin, sub.query_begin + a[i - 1].end, wording});
      };
      size_t i = 0, j = 0, i0 = 0, j0 = 0;
      while (i < a.size() && j < b.size()) {
        if (word_a(i) == word_b(j)) {
          emit(i0, i, j0, j);
          i0 = ++i;
          j0 = ++j;
        } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
          ++i;
        } else {
          ++j;
        }
      }
      emit(i0, a.size(), j0, b.size());
    }
  }
}

// The run of one witness's cuts (sorted by position) that may touch
// [begin, end]: those starting in it, and before them the few that start
// earlier and reach it (a witness's cuts are disjoint).
std::span<const Cut> NearbyCuts(std::span<const Cut> cuts, uint32_t begin, uint32_t end) {
  auto first = std::partition_point(cuts.begin(), cuts.end(),
                                    [begin](const Cut& cut) { return cut.begin < begin; });
  while (first != cuts.begin() && std::prev(first)->end >= begin) --first;
  auto last =
      std::partition_point(first, cuts.end(), [end](const Cut& cut) { return cut.begin <= end; });
  return {first, last};
}

bool Covers(const Match& match, uint32_t begin, uint32_t end) {
  return std::any_of(match.alignment.blocks.begin(), match.alignment.blocks.end(),
                     [&](const AlignedBlock& block) {
                       return block.span.query_begin <= begin && end <= block.span.query_end;
                     });
}

}  // namespace

std::string RestoreByVote(std::string_view query, double query_weight,
                          std::span<const Witness> witnesses,
                          std::span<const Replacement> fallback) {
  std::vector<std::vector<Cut>> cuts(witnesses.size());
  std::vector<std::pair<uint32_t, uint32_t>> stretches;
  for (size_t w = 0; w < witnesses.size(); ++w) {
    AppendCuts(query, *witnesses[w].match, &cuts[w]);
    std::sort(cuts[w].begin(), cuts[w].end(), [](const Cut& a, const Cut& b) {
      return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
    });
    for (const Cut& cut : cuts[w]) stretches.emplace_back(cut.begin, cut.end);
  }
  std::sort(stretches.begin(), stretches.end());
  stretches.erase(std::unique(stretches.begin(), stretches.end()), stretches.end());

  // Each stretch's vote; stretches that overlap (witnesses cut the same words
  // differently) are then taken by margin, the clearest first.
  struct Decision {
    uint32_t begin;
    uint32_t end;
    std::string_view wording;
    double margin;  // the wording's weight minus the query's wording's
  };
  std::vector<Decision> decisions;
  std::vector<std::pair<std::string_view, double>> wordings;  // other than the query's
  for (const auto& [begin, end] : stretches) {
    double keep = query_weight;
    wordings.clear();
    for (size_t w = 0; w < witnesses.size(); ++w) {
      if (!Covers(*witnesses[w].match, begin, end)) continue;
      const Cut* exact = nullptr;
      bool overlaps = false;
      for (const Cut& cut : NearbyCuts(cuts[w], begin, end)) {
        if (cut.begin == begin && cut.end == end) {
          exact = &cut;
        } else if (cut.begin < end && begin < cut.end) {
          overlaps = true;  // another cut of the same words: no vote
        }
      }
      if (exact != nullptr) {
        auto same = std::find_if(wordings.begin(), wordings.end(), [&](const auto& wording) {
          return wording.first == exact->wording;
        });
        if (same == wordings.end()) {
          wordings.push_back({exact->wording, witnesses[w].weight});
        } else {
          same->second += witnesses[w].weight;
        }
      } else if (!overlaps) {
        keep += witnesses[w].weight;
      }
    }
    auto best = std::max_element(wordings.begin(), wordings.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    if (best != wordings.end() && best->second > keep) {
      decisions.push_back({begin, end, best->first, best->second - keep});
    }
  }
  std::stable_sort(decisions.begin(), decisions.end(),
                   [](const Decision& a, const Decision& b) { return a.margin > b.margin; });
  std::vector<Decision> taken;
  for (const Decision& decision : decisions) {
    const bool free = std::none_of(taken.begin(), taken.end(), [&](const Decision& other) {
      return other.begin < decision.end && decision.begin < other.end;
    });
    if (free) taken.push_back(decision);
  }
  auto overlaps = [](uint32_t begin, uint32_t end, uint32_t other_begin, uint32_t other_end) {
    return other_begin < end && begin < other_end;
  };
  // reach[k]: the furthest end among the first k + 1 stretches (sorted by
  // begin), so that whether any stretch overlaps a change is one search.
  std::vector<uint32_t> reach(stretches.size());
  for (size_t k = 0; k < stretches.size(); ++k) {
    reach[k] = std::max(stretches[k].second, k > 0 ? reach[k - 1] : 0);
  }
  for (const Replacement& change : fallback) {
    const size_t starting_before = static_cast<size_t>(
        std::partition_point(stretches.begin(), stretches.end(),
                             [&](const auto& s) { return s.first < change.end; }) -
        stretches.begin());
    const bool decided = starting_before > 0 && reach[starting_before - 1] > change.begin;
    bool attested = false;
    for (size_t w = 0; w < witnesses.size() && !attested && !decided; ++w) {
      const std::span<const Cut> nearby = NearbyCuts(cuts[w], change.begin, change.end);
      attested = Covers(*witnesses[w].match, change.begin, change.end) &&
                 std::none_of(nearby.begin(), nearby.end(), [&](const Cut& cut) {
                   return overlaps(change.begin, change.end, cut.begin, cut.end);
                 });
    }
    if (!decided && !attested) taken.push_back({change.begin, change.end, change.wording, 0.0});
  }
  std::sort(taken.begin(), taken.end(),
            [](const Decision& a, const Decision& b) { return a.begin < b.begin; });

  std::string restored;
  restored.reserve(query.size());
  size_t at = 0;
  // A byte of a word (letters, digits, any non-ASCII byte): words need a
  // space between them.
  auto word_byte = [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || std::isalnum(byte) != 0;
  };
  for (const Decision& decision : taken) {
    restored.append(query.substr(at, decision.begin - at));
    // A deletion (nothing in the source) goes with the space before it.
    if (decision.wording.empty() && !restored.empty() && restored.back() == ' ' &&
        decision.end < query.size() && query[decision.end] == ' ') {
      restored.pop_back();
    }
    // Words put where the query has none are set apart from its words.
    const bool inserted = decision.begin == decision.end && !decision.wording.empty();
    if (inserted && !restored.empty() && word_byte(restored.back()) &&
        word_byte(decision.wording.front())) {
      restored.push_back(' ');
    }
    restored.append(decision.wording);
    if (inserted && decision.end < query.size() && word_byte(query[decision.end]) &&
        word_byte(decision.wording.back())) {
      restored.push_back(' ');
    }
    at = decision.end;
  }
  restored.append(query.substr(at));
  return restored;
}

namespace {

// The share of aligned words two texts spell differently (1 when nothing aligns).
double DifferingShare(const Alignment& alignment) {
  if (alignment.covered_words == 0) return 1.0;
  return 1.0 - static_cast<double>(alignment.identical_words) / alignment.covered_words;
}

constexpr double kMinChangeRate = 0.002;
constexpr double kMaxChangeRate = 0.45;

}  // namespace

VoteWeights WeighByAgreement(const WordClasses& classes, std::span<const Match> matches) {
  UNSPIN_CHECK(matches.size() >= 2);
  const size_t n = matches.size() + 1;  // text 0 is the query
  std::vector<ClassedText> texts;
  for (const Match& match : matches) texts.push_back(classes.Classify(match.source_text));
  std::vector<std::vector<double>> differ(n, std::vector<double>(n, 0.0));
  for (size_t i = 1; i < n; ++i) {
    differ[0][i] = differ[i][0] = DifferingShare(matches[i - 1].alignment);
    for (size_t j = i + 1; j < n; ++j) {
      differ[i][j] = differ[j][i] = DifferingShare(Align(texts[i - 1], texts[j - 1]));
    }
  }
  std::vector<double> rates(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    double sum = 0;
    int pairs = 0;
    for (size_t j = 0; j < n; ++j) {
      for (size_t l = j + 1; l < n; ++l) {
        if (j == i || l == i) continue;
        sum += (differ[i][j] + differ[i][l] - differ[j][l]) / 2;
        ++pairs;
      }
    }
    rates[i] = std::clamp(sum / pairs, kMinChangeRate, kMaxChangeRate);
  }
  auto weight = [](double rate) { return std::log((1 - rate) / rate); };
  VoteWeights weights;
  weights.query = weight(rates[0]);
  weights.query_rate = rates[0];
  for (size_t i = 1; i < n; ++i) {
    weights.witnesses.push_back(weight(rates[i]));
    weights.witness_rates.push_back(rates[i]);
  }
  return weights;
}

std::string MatchesToJson(std::string_view query, const std::vector<Match>& matches) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Match& match : matches) {
    nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
    for (const AlignedBlock& block : match.alignment.blocks) {
      nlohmann::ordered_json substitutions = nlohmann::ordered_json::array();
      for (const SpanPair& sub : block.substitutions) {
        substitutions.push_back(
            {{"query", Range(sub.query_begin, sub.query_end)},
             {"source", Range(sub.source_begin, sub.source_end)},
             {"query_text", query.substr(sub.query_begin, sub.query_end - sub.query_begin)},
             {"source_text",
              match.source_text.substr(sub.source_begin, sub.source_end - sub.source_begin)}});
      }
      blocks.push_back({{"query", Range(block.span.query_begin, block.span.query_end)},
                        {"source", Range(block.span.source_begin, block.span.source_end)},
                        {"substitutions", std::move(substitutions)}});
    }
    const SpanPair span = AlignedSpan(match.alignment);
    list.push_back({{"id", match.id},
                    {"score", Round4(match.alignment.score)},
                    {"coverage", Round4(match.alignment.coverage)},
                    {"span",
                     {{"query", Range(span.query_begin, span.query_end)},
                      {"source", Range(span.source_begin, span.source_end)}}},
                    {"alignment", std::move(blocks)}});
  }
  nlohmann::ordered_json json = {{"matches", std::move(list)}};
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<Cluster>> ClusterIndex(const Index& index, const WordClasses& classes,
                                          const FindOptions& options,
                                          const ClusterProgress& progress) {
  Finder finder(index, classes, options);
  std::vector<DocumentRef> documents;
  std::vector<std::vector<std::pair<size_t, double>>> neighbours;
  std::unordered_map<uint64_t, size_t> ordinal_of;
  auto slot = [](DocumentRef ref) { return (uint64_t{ref.segment} << 32) | ref.ordinal; };
  UNSPIN_RETURN_IF_ERROR(index.ForEachDocument([&](DocumentRef ref, const StoredDocument&) {
    ordinal_of[slot(ref)] = documents.size();
    documents.push_back(ref);
  }));
  neighbours.resize(documents.size());
  // Every document is matched against the others, on all cores; the edges
  // are then made symmetric in document order, so the result does not depend
  // on the thread count.
  std::vector<std::vector<std::pair<size_t, double>>> found(documents.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex mutex;  // guards progress calls and `failure`
  Status failure = Status::Ok();
  auto work = [&] {
    for (size_t d = next++; d < documents.size(); d = next++) {
      const StoredDocument stored = index.Document(documents[d]);
      Result<std::vector<Match>> matches =
          finder.FindOthers(classes.Classify(stored.text), documents[d]);
      if (!matches.ok()) {
        std::lock_guard<std::mutex> lock(mutex);
        failure = matches.status();
        next = documents.size();
        return;
      }
      for (const Match& match : *matches) {
        found[d].emplace_back(ordinal_of.at(slot(match.document)), match.alignment.score);
      }
      const size_t finished = ++done;
      if (progress && (finished % 256 == 0 || finished == documents.size())) {
        std::lock_guard<std::mutex> lock(mutex);
        progress(finished, documents.size());
      }
    }
  };
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
  UNSPIN_RETURN_IF_ERROR(failure);
  for (size_t d = 0; d < documents.size(); ++d) {
    for (const auto& [other, score] : found[d]) {
      neighbours[d].emplace_back(other, score);
      neighbours[other].emplace_back(d, score);
    }
  }
  // Star clustering: the best-connected unassigned document becomes a center
  // and takes its direct, unassigned neighbours.
  std::vector<size_t> order(documents.size());
  for (size_t d = 0; d < order.size(); ++d) order[d] = d;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return neighbours[a].size() > neighbours[b].size(); });
  std::vector<bool> assigned(documents.size(), false);
  std::vector<Cluster> clusters;
  for (size_t center : order) {
    if (assigned[center] || neighbours[center].empty()) continue;
    Cluster cluster;
    cluster.center = documents[center];
    assigned[center] = true;
    std::vector<std::pair<size_t, double>> members = neighbours[center];
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (const auto& [member, score] : members) {
      if (assigned[member]) continue;
      assigned[member] = true;
      cluster.members.emplace_back(documents[member], score);
    }
    if (!cluster.members.empty()) clusters.push_back(std::move(cluster));
  }
  return clusters;
}

}  // namespace unspin::source
