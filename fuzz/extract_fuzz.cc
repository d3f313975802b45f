// libFuzzer target for the extract module: HtmlToText and ClassifyPage on
// arbitrary bytes (as a page, and again forced through a windows-1252 meta),
// ClassifyLines and DetectFormat on the same bytes, with the invariants
// checked: valid UTF-8 out, lines ordered and in bounds, offsets in the page.
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Iinclude fuzz/extract_fuzz.cc \
//       src/extract/*.cc src/base/*.cc -lgumbo && ./a.out -max_total_time=20
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/extract/format.h"
#include "unspin/extract/html.h"
#include "unspin/extract/lines.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

void CheckLines(std::string_view text, const std::vector<unspin::extract::Line>& lines) {
  uint32_t previous_end = 0;
  int titles = 0;
  for (const unspin::extract::Line& line : lines) {
    Require(previous_end <= line.start && line.start < line.end && line.end <= text.size());
    previous_end = line.end;
    titles += line.kind == unspin::extract::LineKind::kTitle ? 1 : 0;
  }
  Require(titles <= 1);
}

void CheckPage(std::string_view page) {
  unspin::Result<unspin::extract::HtmlText> html = unspin::extract::HtmlToText(page);
  Require(html.ok());
  Require(ValidUtf8(html->text));
  uint32_t previous_end = 0;
  for (const unspin::extract::HtmlLine& line : html->lines) {
    Require(previous_end <= line.start && line.start < line.end && line.end < html->text.size());
    Require(html->text[line.end] == '\n');
    Require(line.source_offset <= page.size());
    previous_end = line.end;
  }
  std::vector<unspin::extract::Line> lines = unspin::extract::ClassifyPage(*html);
  Require(lines.size() == html->lines.size());
  CheckLines(html->text, lines);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)unspin::extract::DetectFormat(input);
  CheckLines(input, unspin::extract::ClassifyLines(input));
  CheckPage(input);
  CheckPage("<meta charset=windows-1252>" + std::string(input));
  return 0;
}
