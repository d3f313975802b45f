// ASCII case folding for markup and protocol text (tag and header names,
// charsets, content types), shared by the extract module's parsers. Not for
// prose: words go through text::AppendLookupKey.
#ifndef UNSPIN_EXTRACT_ASCII_H_
#define UNSPIN_EXTRACT_ASCII_H_

#include <string>
#include <string_view>

namespace unspin::extract::internal {

inline char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

}  // namespace unspin::extract::internal

#endif  // UNSPIN_EXTRACT_ASCII_H_
