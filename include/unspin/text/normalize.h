// Text normalisation: the lookup keys under which the vocabulary stores words,
// and a normalised copy of a whole text that keeps a byte-offset map back to
// the original, so that anything found in the normalised text can be reported
// (or rewritten) as a half-open byte range of the input.
//
//   std::string key;
//   text::AppendLookupKey("Blinken\u2019s", &key);   // key == "blinken's"
//
//   text::NormalizedText norm = text::Normalize(input);
//   // norm.text[i] came from input byte norm.source_offsets[i]; a span [b, e)
//   // of norm.text is the input range [source_offsets[b], source_offsets[e]).
//
// The mapping rules are listed in docs/text.md.
#ifndef UNSPIN_TEXT_NORMALIZE_H_
#define UNSPIN_TEXT_NORMALIZE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace unspin::text {

// Appends to `*out` the lookup key of one token's bytes: NFKC compatibility
// mapping with Unicode case folding (utf8proc), curly apostrophes and single
// quotes (U+2018, U+2019, U+201B, U+2032, U+02BC) -> ', curly double quotes
// -> ", Unicode dashes and the minus sign -> -, default-ignorable code points
// (soft hyphen, zero-width space, BOM) removed. Pure-ASCII tokens are just
// lower-cased. `token_bytes` should be valid UTF-8; ill-formed bytes become
// U+FFFD. Allocates only when `*out` grows (or for tokens of more than 256
// code points). Thread-safe.
void AppendLookupKey(std::string_view token_bytes, std::string* out);

// A normalised text and its offset map back to the original input.
struct NormalizedText {
  std::string text;
  // source_offsets[i] is the input byte offset of the character that produced
  // text[i]; size text.size() + 1, and source_offsets.back() == input.size().
  // Non-decreasing. Every byte produced from one input character (or one
  // character plus its combining marks) carries that character's first offset.
  std::vector<uint32_t> source_offsets;
};

// Returns `input` with compatibility and whitespace normalisation: CRLF and
// lone CR -> LF; NEL, U+2028, U+2029 -> LF; other Unicode spaces (NBSP,
// thin space, ...) -> ' '; curly quotes and apostrophes -> ASCII ' and ";
// dashes -> '-'; NFKC (ligatures, full-width forms, "…" -> "...", composed
// accents); default-ignorables removed. Case is kept. Ill-formed UTF-8 bytes
// become U+FFFD. Requires input.size() < 2^32. Thread-safe, deterministic.
NormalizedText Normalize(std::string_view input);

}  // namespace unspin::text

#endif  // UNSPIN_TEXT_NORMALIZE_H_
