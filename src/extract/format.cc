#include "unspin/extract/format.h"

#include <zlib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "extract/ascii.h"
#include "unspin/base/json_depth.h"

namespace unspin::extract {
namespace {

using internal::LowerAscii;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// True when the gzip stream at the start of `input` decompresses to text that
// starts with "WARC/". Only the first few bytes are inflated.
bool GzipStartsWithWarc(std::string_view input) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return false;
  unsigned char out[16];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(std::min<size_t>(input.size(), 1u << 20));
  stream.next_out = out;
  stream.avail_out = sizeof out;
  int rc = Z_OK;
  while (stream.avail_out > sizeof out - 5 && rc == Z_OK) rc = inflate(&stream, Z_NO_FLUSH);
  size_t produced = sizeof out - stream.avail_out;
  inflateEnd(&stream);
  return produced >= 5 && std::string_view(reinterpret_cast<char*>(out), 5) == "WARC/";
}

// The line of `input` starting at `at` ('{') is a JSON object (or, cut off
// by the end of a 64 KiB or longer `input`, starts like one).
bool IsJsonObjectLine(std::string_view input, size_t at) {
  size_t newline = input.find('\n', at);
  if (newline == std::string_view::npos && input.size() >= (size_t{64} << 10)) {
    return at + 1 < input.size() && input[at + 1] == '"';
  }
  std::string_view line =
      input.substr(at, newline == std::string_view::npos ? input.npos : newline - at);
  // Too deep to parse: still JSON lines, whose reader reports the line.
  if (!CheckJsonDepth(line).ok()) return true;
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return json.is_object();
}

// The first non-blank line (after a byte order mark) is a JSON object, or
// the first is a header line (a CSV-style title, a comment) and the next is.
bool LooksLikeJsonl(std::string_view input) {
  size_t i = 0;
  if (input.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < input.size() && IsSpace(input[i])) ++i;
  if (i >= input.size()) return false;
  if (input[i] == '{') return IsJsonObjectLine(input, i);
  size_t newline = input.find('\n', i);
  if (newline == std::string_view::npos) return false;
  i = newline + 1;
  while (i < input.size() && IsSpace(input[i])) ++i;
  return i < input.size() && input[i] == '{' && IsJsonObjectLine(input, i);
}

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kText:
      return "text";
    case InputFormat::kHtml:
      return "html";
    case InputFormat::kWarc:
      return "warc";
    case InputFormat::kJsonl:
      return "jsonl";
  }
  return "text";
}

Result<InputFormat> ParseInputFormat(std::string_view name) {
  if (name == "text") return InputFormat::kText;
  if (name == "html") return InputFormat::kHtml;
  if (name == "warc") return InputFormat::kWarc;
  if (name == "jsonl") return InputFormat::kJsonl;
  return InvalidArgumentError("unknown input format \"" + std::string(name) +
                              "\" (use text, html, warc or jsonl)");
}

bool HasJsonLinesExtension(std::string_view path) {
  std::string name = LowerAscii(path.substr(path.size() - std::min<size_t>(path.size(), 10)));
  std::string_view tail = name;
  if (tail.ends_with(".gz")) tail.remove_suffix(3);
  return tail.ends_with(".jsonl") || tail.ends_with(".ndjson");
}

InputFormat DetectFormat(std::string_view input) {
  if (input.substr(0, 7) == "WARC/1.") return InputFormat::kWarc;
  if (input.size() >= 2 && input[0] == '\x1f' && input[1] == '\x8b' && GzipStartsWithWarc(input)) {
    return InputFormat::kWarc;
  }
  if (LooksLikeJsonl(input)) return InputFormat::kJsonl;
  std::string_view head = input.substr(0, 1024);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t i = 0;
  while (i < head.size() && IsSpace(head[i])) ++i;
  std::string lower;
  lower.reserve(head.size() - i);
  for (size_t k = i; k < head.size(); ++k) lower.push_back(LowerAscii(head[k]));
  std::string_view rest = lower;
  // Leading comments (<!-- ... -->) before the document proper.
  while (rest.substr(0, 4) == "<!--") {
    size_t end = rest.find("-->");
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 3);
    while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  }
  for (std::string_view start : {"<!doctype html", "<html", "<head", "<body", "<?xml"}) {
    if (rest.substr(0, start.size()) == start) return InputFormat::kHtml;
  }
  // A fragment: a block tag before the first line of prose ends.
  static constexpr std::string_view kTags[] = {
      "<div",  "<p>",  "<p ",   "<article", "<section", "<meta",   "<title", "<h1",
      "<h2",   "<ul",  "<ol",   "<table",   "<span",    "<a ",     "<br",    "<main",
      "<link", "<img", "<form", "<script",  "<style",   "<header", "<nav"};
  size_t first_line = rest.find('\n');
  std::string_view start = rest.substr(0, first_line);
  if (!start.empty() && start.front() == '<') {
    for (std::string_view tag : kTags) {
      if (start.find(tag) != std::string_view::npos) return InputFormat::kHtml;
    }
  }
  return InputFormat::kText;
}

}  // namespace unspin::extract
