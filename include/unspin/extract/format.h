// Input detection: is an input plain text, an HTML page, a WARC archive
// (plain or gzip) or JSON lines? Documents are read out of WARC and JSONL
// inputs by extract/records.h.
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
  kWarc,   // WARC 1.0/1.1, plain or a sequence of gzip members
  kJsonl,  // one JSON object per line: {"id"|"url": ..., "text"|"html": ...}
};

// "text", "html", "warc" or "jsonl".
std::string_view InputFormatName(InputFormat format);

// Parses "text", "html", "warc" or "jsonl" (as written by InputFormatName). Errors:
// InvalidArgument naming the accepted values.
Result<InputFormat> ParseInputFormat(std::string_view name);

// Sniffs the start of an input (pass at least its first 64 KiB; fewer bytes
// are fine for short inputs):
// WARC when it starts with "WARC/1.", or with the gzip magic 1f 8b and the
// first member decompresses to text starting with "WARC/"; JSONL when the
// first non-blank line (after a UTF-8 byte order mark), or the line after
// it (the first being a header line), starts with '{' and parses as a JSON
// object (a line cut off by the end of a 64 KiB or longer `input` only needs
// to start with '{' and '"'); else, on the first 1024 bytes after a UTF-8 byte
// order mark and white space: HTML when they start with "<!doctype html",
// "<html", "<head", "<body", an HTML comment followed by one of those, or when a tag of a common
// block element ("<div", "<p>", "<article", "<meta", "<title" ...) appears in them before any line
// of plain prose. Everything else is text. Never fails; thread-safe.
InputFormat DetectFormat(std::string_view input);

// True when a file's name says it holds JSON lines: it ends in ".jsonl" or
// ".ndjson", optionally followed by ".gz" (ASCII case ignored). Readers take
// such a file as JSONL whatever its first line (a byte order mark, a header
// line), so that a bad line is reported instead of the whole file being read
// as one text.
bool HasJsonLinesExtension(std::string_view path);

}  // namespace unspin::extract

#endif  // UNSPIN_EXTRACT_FORMAT_H_
