// Lookup keys and offset-preserving normalisation, on top of utf8proc
// (Unicode UAX #15 normalisation forms; case folding from CaseFolding.txt).
//
// Invariants:
// - Normalize() works in "runs": a starter (combining class 0) and the
//   non-starters that follow it. Runs are normalised independently, so every
//   output byte of a run carries the run's first input offset and
//   source_offsets never decreases.
// - source_offsets.size() == text.size() + 1 at return, last entry == input.size().
// - Both functions apply UnspinMap() before utf8proc's own mappings.
#include "unspin/text/normalize.h"

#include <utf8proc.h>

#include <cstring>

#include "unspin/base/check.h"
#include "utf8_internal.h"

namespace unspin::text {
namespace {

using internal::DecodeUtf8;
using internal::EncodeUtf8;

// unspin's own mappings, applied to each code point before NFKC.
utf8proc_int32_t UnspinMap(utf8proc_int32_t cp, void* /*data*/) {
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
    case 0x02BC:
      return '\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
      return '"';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0xFF0D:
      return '-';
    case 0x0085:
    case 0x2028:
    case 0x2029:
      return '\n';
    default:
      break;
  }
  if (cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS) return ' ';
  return cp;
}

constexpr utf8proc_option_t kNormalizeOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_IGNORE);
constexpr utf8proc_option_t kLookupOptions =
    static_cast<utf8proc_option_t>(kNormalizeOptions | UTF8PROC_CASEFOLD);

constexpr size_t kStackCodePoints = 256;

// Normalises valid UTF-8 `bytes` with `options` and calls sink(char* utf8, size_t len)
// once with the result.
template <typename Sink>
void NormalizeBytes(std::string_view bytes, utf8proc_option_t options, Sink&& sink) {
  utf8proc_int32_t stack_buffer[kStackCodePoints];
  std::vector<utf8proc_int32_t> heap_buffer;
  utf8proc_int32_t* buffer = stack_buffer;
  const auto* str = reinterpret_cast<const utf8proc_uint8_t*>(bytes.data());
  const auto str_len = static_cast<utf8proc_ssize_t>(bytes.size());
  utf8proc_ssize_t count = utf8proc_decompose_custom(str, str_len, buffer, kStackCodePoints,
                                                     options, UnspinMap, nullptr);
  if (count > static_cast<utf8proc_ssize_t>(kStackCodePoints)) {
    heap_buffer.resize(static_cast<size_t>(count));
    buffer = heap_buffer.data();
    count = utf8proc_decompose_custom(str, str_len, buffer, count, options, UnspinMap, nullptr);
  }
  UNSPIN_CHECK(count >= 0);  // callers pass only valid UTF-8
  count = utf8proc_normalize_utf32(buffer, count, options);
  UNSPIN_CHECK(count >= 0);
  char encoded[4 * 64];
  size_t used = 0;
  for (utf8proc_ssize_t k = 0; k < count; ++k) {
    if (used + 4 > sizeof(encoded)) {
      sink(encoded, used);
      used = 0;
    }
    used += EncodeUtf8(static_cast<char32_t>(buffer[k]), encoded + used);
  }
  sink(encoded, used);
}

constexpr char kReplacementUtf8[] = "\xEF\xBF\xBD";

bool IsNonStarter(const unsigned char* p, size_t n) {
  internal::Decoded d = DecodeUtf8(p, n);
  return d.valid &&
         utf8proc_get_property(static_cast<utf8proc_int32_t>(d.code_point))->combining_class != 0;
}

}  // namespace

void AppendLookupKey(std::string_view token_bytes, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(token_bytes.data());
  const size_t n = token_bytes.size();
  unsigned high = 0;
  for (size_t i = 0; i < n; ++i) high |= p[i];
  if (high < 0x80) {
    const size_t start = out->size();
    out->resize(start + n);
    char* dst = out->data() + start;
    for (size_t i = 0; i < n; ++i) {
      const unsigned char c = p[i];
      dst[i] = static_cast<char>(static_cast<unsigned>(c - 'A') < 26u ? c + ('a' - 'A') : c);
    }
    return;
  }
  // Normalise valid stretches; ill-formed bytes become U+FFFD.
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n) {
      internal::Decoded d = DecodeUtf8(p + j, n - j);
      if (!d.valid) break;
      j += d.length;
    }
    if (j > i) {
      NormalizeBytes(token_bytes.substr(i, j - i), kLookupOptions,
                     [out](const char* bytes, size_t len) { out->append(bytes, len); });
    }
    if (j < n) {
      out->append(kReplacementUtf8, 3);
      ++j;
    }
    i = j;
  }
}

NormalizedText Normalize(std::string_view input) {
  UNSPIN_CHECK(input.size() < (uint64_t{1} << 32));
  const auto* p = reinterpret_cast<const unsigned char*>(input.data());
  const size_t n = input.size();
  NormalizedText result;
  std::string& text = result.text;
  std::vector<uint32_t>& offsets = result.source_offsets;
  text.reserve(n + n / 32);
  offsets.reserve(n + n / 32 + 1);

  size_t i = 0;
  while (i < n) {
    // ASCII stretch without CR, copied as is (its last byte may start a run
    // when a combining mark follows).
    size_t j = i;
    while (j < n && p[j] < 0x80 && p[j] != '\r') ++j;
    size_t copy_end = j;
    if (j < n && p[j] >= 0x80 && j > i && IsNonStarter(p + j, n - j)) copy_end = j - 1;
    if (copy_end > i) {
      text.append(input.data() + i, copy_end - i);
      for (size_t k = i; k < copy_end; ++k) offsets.push_back(static_cast<uint32_t>(k));
      i = copy_end;
      continue;
    }
    if (p[i] == '\r') {
      text.push_back('\n');
      offsets.push_back(static_cast<uint32_t>(i));
      i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    // A run: one starter and the non-starters after it.
    internal::Decoded first = DecodeUtf8(p + i, n - i);
    if (!first.valid) {
      text.append(kReplacementUtf8, 3);
      offsets.insert(offsets.end(), 3, static_cast<uint32_t>(i));
      ++i;
      continue;
    }
    size_t run_end = i + first.length;
    while (run_end < n && p[run_end] >= 0x80) {
      internal::Decoded d = DecodeUtf8(p + run_end, n - run_end);
      if (!d.valid ||
          utf8proc_get_property(static_cast<utf8proc_int32_t>(d.code_point))->combining_class ==
              0) {
        break;
      }
      run_end += d.length;
    }
    const auto run_offset = static_cast<uint32_t>(i);
    NormalizeBytes(input.substr(i, run_end - i), kNormalizeOptions,
                   [&](const char* bytes, size_t len) {
                     text.append(bytes, len);
                     offsets.insert(offsets.end(), len, run_offset);
                   });
    i = run_end;
  }
  offsets.push_back(static_cast<uint32_t>(n));
  return result;
}

}  // namespace unspin::text
