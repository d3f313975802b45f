// libFuzzer target for the text module: ValidateUtf8 on arbitrary bytes and,
// for valid UTF-8, Tokenize, Normalize and AppendLookupKey with their
// invariants checked. Ill-formed input is also tokenized (Tokenize must not
// misbehave on it even though callers are expected to validate first).
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Iinclude fuzz/text_fuzz.cc \
//       src/text/*.cc src/base/*.cc -lutf8proc && ./a.out -max_total_time=20
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"
#include "unspin/text/utf8.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

bool IsBoundary(std::string_view input, size_t offset) {
  return offset == input.size() || (static_cast<unsigned char>(input[offset]) & 0xC0) != 0x80;
}

void CheckTokens(std::string_view input, const unspin::text::TokenizedText& tt, bool valid) {
  uint32_t previous_end = 0;
  for (size_t k = 0; k < tt.tokens.size(); ++k) {
    const unspin::text::Token& token = tt.tokens[k];
    Require(previous_end <= token.begin);  // ordered, non-overlapping
    Require(token.begin < token.end && token.end <= input.size());
    if (valid) Require(IsBoundary(input, token.begin) && IsBoundary(input, token.end));
    Require(token.sentence < tt.sentences.size());
    const unspin::text::Sentence& s = tt.sentences[token.sentence];
    Require(s.first_token <= k && k < s.first_token + s.token_count);
    previous_end = token.end;
  }
  uint32_t next = 0;
  for (const unspin::text::Sentence& s : tt.sentences) {
    Require(s.first_token == next && s.token_count > 0);
    next += s.token_count;
    Require(s.begin == tt.tokens[s.first_token].begin);
    Require(s.end == tt.tokens[next - 1].end);
  }
  Require(next == tt.tokens.size());
  for (size_t k = 0; k < tt.quotes.size(); ++k) {
    Require(tt.quotes[k].begin < tt.quotes[k].end && tt.quotes[k].end <= input.size());
    if (k > 0) Require(tt.quotes[k - 1].begin <= tt.quotes[k].begin);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool valid = unspin::text::ValidateUtf8(input).ok();

  const unspin::text::TokenizedText tt = unspin::text::Tokenize(input);
  CheckTokens(input, tt, valid);
  if (!valid) return 0;

  const unspin::text::NormalizedText norm = unspin::text::Normalize(input);
  Require(norm.source_offsets.size() == norm.text.size() + 1);
  Require(norm.source_offsets.back() == input.size());
  for (size_t i = 0; i + 1 < norm.source_offsets.size(); ++i) {
    Require(norm.source_offsets[i] <= norm.source_offsets[i + 1]);  // monotonic
    Require(norm.source_offsets[i] < input.size());                 // inside input
    Require(IsBoundary(input, norm.source_offsets[i]));
  }
  Require(unspin::text::ValidateUtf8(norm.text).ok());

  std::string key;
  for (const unspin::text::Token& token : tt.tokens) {
    key.clear();
    unspin::text::AppendLookupKey(input.substr(token.begin, token.end - token.begin), &key);
    Require(unspin::text::ValidateUtf8(key).ok());
  }
  return 0;
}
