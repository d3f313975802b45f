// Tokenisation of English news text into words, numbers, punctuation and
// symbols, with sentence boundaries and quoted spans. Token boundaries match
// the lower-cased n-gram vocabulary ("don't", "china's", "u.s."), through
// AppendLookupKey in normalize.h. All offsets are half-open byte ranges of
// the original input.
//
//   UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(article));
//   text::TokenizedText tt = text::Tokenize(article);
//   for (const text::Token& token : tt.tokens) {
//     std::string_view bytes = article.substr(token.begin, token.end - token.begin);
//   }
//
// The rules (what is a word, where sentences end, which quotes pair) are in
// docs/text.md.
#ifndef UNSPIN_TEXT_TOKENIZE_H_
#define UNSPIN_TEXT_TOKENIZE_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace unspin::text {

enum class TokenKind : uint8_t {
  kWord,         // letters (any script), digits, marks, internal apostrophes; "U.S."
  kNumber,       // digits with internal '.' or ',' between digits: "150", "3.5", "1,000"
  kPunctuation,  // one character (Unicode P*), except that ".." / "..." is one token
  kSymbol,       // one character: Unicode S*, private use, unassigned
};

struct Token {
  uint32_t begin;  // byte offsets into the original input, half-open
  uint32_t end;
  TokenKind kind;
  bool space_before;  // whitespace between the previous token (or input start) and this one
  bool quoted;        // inside a quoted span (the quote marks themselves included)
  uint32_t sentence;  // index into TokenizedText::sentences
};

struct Sentence {
  uint32_t begin;  // byte range in input: first token's begin to last token's end
  uint32_t end;
  uint32_t first_token;
  uint32_t token_count;  // >= 1
};

struct QuoteSpan {
  uint32_t begin;  // byte range in input, including the quote marks
  uint32_t end;
};

struct TokenizedText {
  std::vector<Token> tokens;        // in input order, non-overlapping
  std::vector<Sentence> sentences;  // in order; together they hold every token once
  std::vector<QuoteSpan> quotes;    // sorted by begin, outer span first when nested
};

// Splits `input` into tokens, sentences and quoted spans. Whitespace, control
// characters and format characters outside words belong to no token. Input
// must be valid UTF-8 (callers validate first; ill-formed bytes become
// one-byte symbol tokens, never undefined behaviour) and shorter than 2^32
// bytes. Thread-safe, deterministic; allocates only the result vectors.
TokenizedText Tokenize(std::string_view input);

}  // namespace unspin::text

#endif  // UNSPIN_TEXT_TOKENIZE_H_
