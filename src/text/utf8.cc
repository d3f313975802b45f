// UTF-8 validation (Unicode 15.0, section 3.9, table 3-7 "Well-Formed UTF-8
// Byte Sequences").
//
// Invariants:
// - `i` always points at the first byte of a character (or of the first
//   ill-formed sequence, which is what the error reports).
// - The 8-byte fast path only skips words whose bytes are all < 0x80.
#include "unspin/text/utf8.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace unspin::text {
namespace {

Status Invalid(size_t offset, const char* reason, unsigned byte) {
  char buf[128];
  std::snprintf(buf, sizeof(buf), "invalid UTF-8 at byte %zu: %s (byte 0x%02X)", offset, reason,
                byte);
  return InvalidArgumentError(buf);
}

}  // namespace

Status ValidateUtf8(std::string_view input) {
  const auto* p = reinterpret_cast<const unsigned char*>(input.data());
  const size_t n = input.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, 8 bytes (then 32 when the text stays ASCII) at a time.
    while (i + 32 <= n) {
      uint64_t w[4];
      std::memcpy(w, p + i, sizeof(w));
      if (((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) != 0) break;
      i += 32;
    }
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, sizeof(w));
      if ((w & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned b0 = p[i];
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    auto cont = [&](size_t k) { return i + k < n && (p[i + k] & 0xC0) == 0x80; };
    if (b0 < 0xC0) return Invalid(i, "unexpected continuation byte", b0);
    if (b0 < 0xC2) return Invalid(i, "overlong encoding", b0);
    if (b0 < 0xE0) {
      if (!cont(1)) return Invalid(i, "truncated sequence", b0);
      i += 2;
      continue;
    }
    if (b0 < 0xF0) {
      if (!cont(1) || !cont(2)) {
        // Report the more specific problem when the second byte already tells.
        if (cont(1) && b0 == 0xE0 && p[i + 1] < 0xA0) return Invalid(i, "overlong encoding", b0);
        if (cont(1) && b0 == 0xED && p[i + 1] >= 0xA0) {
          return Invalid(i, "surrogate code point", b0);
        }
        return Invalid(i, "truncated sequence", b0);
      }
      if (b0 == 0xE0 && p[i + 1] < 0xA0) return Invalid(i, "overlong encoding", b0);
      if (b0 == 0xED && p[i + 1] >= 0xA0) return Invalid(i, "surrogate code point", b0);
      i += 3;
      continue;
    }
    if (b0 < 0xF5) {
      if (cont(1) && b0 == 0xF0 && p[i + 1] < 0x90) return Invalid(i, "overlong encoding", b0);
      if (cont(1) && b0 == 0xF4 && p[i + 1] >= 0x90) {
        return Invalid(i, "code point above U+10FFFF", b0);
      }
      if (!cont(1) || !cont(2) || !cont(3)) return Invalid(i, "truncated sequence", b0);
      i += 4;
      continue;
    }
    if (b0 < 0xF8) return Invalid(i, "code point above U+10FFFF", b0);
    return Invalid(i, "byte never valid in UTF-8", b0);
  }
  return Status::Ok();
}

}  // namespace unspin::text
