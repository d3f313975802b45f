// Input detection: is a document plain text or an HTML page? (WARC and JSONL
// come with the scan work, issue #6.)
//
//   extract::InputFormat format = extract::DetectFormat(bytes);
//   if (format == extract::InputFormat::kHtml) { ... extract::HtmlToText(bytes) ... }
#ifndef UNSPIN_EXTRACT_FORMAT_H_
#define UNSPIN_EXTRACT_FORMAT_H_

#include <cstdint>
#include <string_view>

#include "unspin/base/status.h"

namespace unspin::extract {

enum class InputFormat : uint8_t {
  kText,
  kHtml,
};

// "text" or "html".
std::string_view InputFormatName(InputFormat format);

// Parses "text" or "html" (as written by InputFormatName). Errors:
// InvalidArgument naming the accepted values.
Result<InputFormat> ParseInputFormat(std::string_view name);

// Sniffs the first 1024 bytes, after a UTF-8 byte order mark and white space:
// HTML when they start with "<!doctype html", "<html", "<head", "<body", an
// HTML comment followed by one of those, or when a tag of a common block
// element ("<div", "<p>", "<article", "<meta", "<title" ...) appears in them
// before any line of plain prose. Everything else is text. Never fails;
// thread-safe.
InputFormat DetectFormat(std::string_view input);

}  // namespace unspin::extract

#endif  // UNSPIN_EXTRACT_FORMAT_H_
