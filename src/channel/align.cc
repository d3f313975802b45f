// Word alignment of an original with its spun copy, and the substitution
// pairs read off it.
//
// Invariants of AlignWords' result: steps cover a and b in order; a match or
// substitute step advances both indices, a delete only `a`, an insert only
// `b`; the number of non-match steps is the Levenshtein distance (Wagner and
// Fischer, "The string-to-string correction problem", JACM 1974).
#include <algorithm>

#include "unspin/channel/channel.h"
#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"

namespace unspin::channel {
namespace {

// Bits of a traceback cell: which predecessors reach the cell at minimum cost.
constexpr uint8_t kFromMatch = 1;
constexpr uint8_t kFromSubstitute = 2;
constexpr uint8_t kFromDelete = 4;
constexpr uint8_t kFromInsert = 8;

std::vector<std::string> Slice(std::span<const std::string> words, size_t begin, size_t end) {
  return std::vector<std::string>(words.begin() + static_cast<ptrdiff_t>(begin),
                                  words.begin() + static_cast<ptrdiff_t>(end));
}

bool OneSentence(const TextWords& words, size_t begin, size_t end) {
  return begin >= end || words.sentences[begin] == words.sentences[end - 1];
}

}  // namespace

TextWords SplitWords(std::string_view text) {
  TextWords words;
  text::TokenizedText tokens = text::Tokenize(text);
  for (const text::Token& token : tokens.tokens) {
    if (token.kind != text::TokenKind::kWord && token.kind != text::TokenKind::kNumber) continue;
    std::string key;
    text::AppendLookupKey(text.substr(token.begin, token.end - token.begin), &key);
    // NFKC maps a few symbols to a space plus a mark (U+00A8, U+037A); a
    // phrase is words joined by spaces, so no word may hold one.
    std::erase_if(key, [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
    if (key.empty()) continue;
    words.keys.push_back(std::move(key));
    words.sentences.push_back(token.sentence);
    words.begins.push_back(token.begin);
    words.ends.push_back(token.end);
  }
  return words;
}

Result<std::vector<AlignStep>> AlignWords(std::span<const std::string> a,
                                          std::span<const std::string> b, uint64_t max_cells,
                                          OverBound over_bound) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const size_t n = a.size() - prefix - suffix;
  const size_t m = b.size() - prefix - suffix;
  const bool over =
      static_cast<double>(n + 1) * static_cast<double>(m + 1) > static_cast<double>(max_cells);
  if (over && over_bound == OverBound::kPositional) {
    std::vector<AlignStep> steps;
    steps.reserve(prefix + std::max(n, m) + suffix);
    for (size_t k = 0; k < prefix; ++k) {
      steps.push_back({AlignOp::kMatch, static_cast<uint32_t>(k), static_cast<uint32_t>(k)});
    }
    for (size_t k = 0; k < std::max(n, m); ++k) {
      const auto ai = static_cast<uint32_t>(prefix + std::min(k, n));
      const auto bj = static_cast<uint32_t>(prefix + std::min(k, m));
      if (k < n && k < m) {
        steps.push_back({a[ai] == b[bj] ? AlignOp::kMatch : AlignOp::kSubstitute, ai, bj});
      } else if (k < n) {
        steps.push_back({AlignOp::kDelete, ai, bj});
      } else {
        steps.push_back({AlignOp::kInsert, ai, bj});
      }
    }
    for (size_t k = 0; k < suffix; ++k) {
      steps.push_back({AlignOp::kMatch, static_cast<uint32_t>(prefix + n + k),
                       static_cast<uint32_t>(prefix + m + k)});
    }
    return steps;
  }
  if (over) {
    return ResourceExhaustedError("alignment of " + std::to_string(a.size()) + " with " +
                                  std::to_string(b.size()) + " words needs " +
                                  std::to_string((n + 1) * (m + 1)) + " cells, over the limit of " +
                                  std::to_string(max_cells));
  }
  // from[i * (m + 1) + j]: how cell (i, j) of the middle is reached.
  std::vector<uint8_t> from((n + 1) * (m + 1), 0);
  std::vector<uint32_t> previous(m + 1), current(m + 1);
  for (size_t j = 0; j <= m; ++j) {
    previous[j] = static_cast<uint32_t>(j);
    if (j > 0) from[j] = kFromInsert;
  }
  for (size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<uint32_t>(i);
    from[i * (m + 1)] = kFromDelete;
    const std::string& word_a = a[prefix + i - 1];
    for (size_t j = 1; j <= m; ++j) {
      bool same = word_a == b[prefix + j - 1];
      uint32_t diagonal = previous[j - 1] + (same ? 0 : 1);
      uint32_t del = previous[j] + 1;
      uint32_t ins = current[j - 1] + 1;
      uint32_t best = std::min({diagonal, del, ins});
      uint8_t bits = 0;
      if (diagonal == best) bits |= same ? kFromMatch : kFromSubstitute;
      if (del == best) bits |= kFromDelete;
      if (ins == best) bits |= kFromInsert;
      current[j] = best;
      from[i * (m + 1) + j] = bits;
    }
    std::swap(previous, current);
  }

  std::vector<AlignStep> steps;
  steps.reserve(a.size() + b.size());
  for (size_t k = 1; k <= suffix; ++k) {  // built back to front, reversed at the end
    steps.push_back({AlignOp::kMatch, static_cast<uint32_t>(a.size() - k),
                     static_cast<uint32_t>(b.size() - k)});
  }
  size_t i = n, j = m;
  while (i > 0 || j > 0) {
    uint8_t bits = from[i * (m + 1) + j];
    uint32_t ai = static_cast<uint32_t>(prefix + i), bj = static_cast<uint32_t>(prefix + j);
    if ((bits & kFromMatch) != 0) {
      steps.push_back({AlignOp::kMatch, ai - 1, bj - 1});
      --i, --j;
    } else if ((bits & kFromSubstitute) != 0) {
      steps.push_back({AlignOp::kSubstitute, ai - 1, bj - 1});
      --i, --j;
    } else if ((bits & kFromDelete) != 0) {
      steps.push_back({AlignOp::kDelete, ai - 1, bj});
      --i;
    } else {
      steps.push_back({AlignOp::kInsert, ai, bj - 1});
      --j;
    }
  }
  for (size_t k = prefix; k > 0; --k) {
    steps.push_back({AlignOp::kMatch, static_cast<uint32_t>(k - 1), static_cast<uint32_t>(k - 1)});
  }
  std::reverse(steps.begin(), steps.end());
  return steps;
}

void ExtractSubstitutions(const TextWords& original, const TextWords& spun,
                          std::span<const AlignStep> steps, std::vector<PhrasePair>* out,
                          ExtractStats* stats, PairKind kind) {
  ExtractStats local;
  if (stats == nullptr) stats = &local;
  const std::span<const std::string> a = original.keys, b = spun.keys;
  size_t k = 0;
  while (k < steps.size()) {
    if (steps[k].op == AlignOp::kMatch) {
      ++k;
      continue;
    }
    const size_t first = k;
    size_t a_words = 0, b_words = 0;
    bool only_substitutions = true;
    for (; k < steps.size() && steps[k].op != AlignOp::kMatch; ++k) {
      if (steps[k].op != AlignOp::kInsert) ++a_words;
      if (steps[k].op != AlignOp::kDelete) ++b_words;
      if (steps[k].op != AlignOp::kSubstitute) only_substitutions = false;
    }
    ++stats->regions;
    const size_t i0 = steps[first].a, i1 = i0 + a_words;
    const size_t j0 = steps[first].b, j1 = j0 + b_words;
    const bool match_before = first > 0;  // the step before a region is a match
    const bool match_after = k < steps.size();
    const size_t before = out->size();
    if (a_words > 0 && b_words > 0) {
      if (a_words <= kMaxPhraseWords && b_words <= kMaxPhraseWords) {
        if (OneSentence(original, i0, i1) && OneSentence(spun, j0, j1)) {
          out->push_back({Slice(a, i0, i1), Slice(b, j0, j1)});
        }
        if (kind == PairKind::kTerms && only_substitutions && a_words > 1) {
          for (size_t s = 0; s < a_words; ++s) out->push_back({{a[i0 + s]}, {b[j0 + s]}});
        }
      } else if (only_substitutions) {
        for (size_t s = 0; s < a_words; ++s) out->push_back({{a[i0 + s]}, {b[j0 + s]}});
      }
    } else if (a_words + b_words < kMaxPhraseWords) {
      // A pure insertion (a_words == 0) or deletion (b_words == 0): anchored
      // to the matched word on either side, in the same sentence.
      if (match_before && OneSentence(original, i0 - 1, i1) && OneSentence(spun, j0 - 1, j1)) {
        out->push_back({Slice(a, i0 - 1, i1), Slice(b, j0 - 1, j1)});
      }
      if (match_after && OneSentence(original, i0, i1 + 1) && OneSentence(spun, j0, j1 + 1)) {
        out->push_back({Slice(a, i0, i1 + 1), Slice(b, j0, j1 + 1)});
      }
    }
    if (out->size() > before) {
      ++stats->regions_used;
    } else {
      ++stats->regions_skipped;
    }
  }
}

}  // namespace unspin::channel
