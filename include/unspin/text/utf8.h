// UTF-8 validation. Every byte string that enters unspin is validated once at
// the boundary (CLI, server, loaders); the rest of the text module assumes
// valid UTF-8.
//
//   UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(article));
//   text::TokenizedText tokens = text::Tokenize(article);
#ifndef UNSPIN_TEXT_UTF8_H_
#define UNSPIN_TEXT_UTF8_H_

#include <string_view>

#include "unspin/base/status.h"

namespace unspin::text {

// Checks that `input` is well-formed UTF-8 (Unicode 15, table 3-7): rejects
// stray continuation bytes, bytes 0xC0, 0xC1 and 0xF5..0xFF, overlong forms,
// surrogates (U+D800..U+DFFF), code points above U+10FFFF and sequences cut
// short by a non-continuation byte or the end of input. NUL bytes are valid.
//
// Returns OK, or InvalidArgument "invalid UTF-8 at byte N: <reason>" where N
// is the offset of the first byte of the first ill-formed sequence.
// Pure-ASCII stretches are checked 8 bytes at a time. Thread-safe.
Status ValidateUtf8(std::string_view input);

}  // namespace unspin::text

#endif  // UNSPIN_TEXT_UTF8_H_
