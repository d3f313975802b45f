// Reading documents for the index and for batch queries: JSONL lines
// {"id": str, "text": str, ...} (other fields kept as metadata) or whole
// plain-text files (id = the path). Streams: memory stays bounded by the
// longest line.
#ifndef UNSPIN_TOOLS_UNSPIN_DOCUMENTS_H_
#define UNSPIN_TOOLS_UNSPIN_DOCUMENTS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "unspin/base/status.h"
#include "unspin/source/index.h"

namespace unspin::cli {

struct ReadCounts {
  uint64_t documents = 0;  // handed to the callback
  uint64_t rejected = 0;   // lines or files reported and skipped
};

// Prints "unspin: path:line: why (skipped)" and counts the rejection.
void ReportSkipped(const std::string& path, uint64_t line, std::string_view why,
                   ReadCounts* counts);

// One document as read, before parsing: a JSONL line or a whole text file.
struct RawDocument {
  std::string path;
  std::string bytes;
  uint64_t line = 1;  // 1-based line of a JSONL file
  bool jsonl = false;
};

// Calls `take` for each raw document of `path` ("-": standard input), without
// parsing (so that parsing can run on other threads). A file is JSONL when
// its name ends in .jsonl or .ndjson, or when its first non-blank line (after
// a UTF-8 byte order mark, which is dropped) or the line after that (a header
// line) starts with '{'; then every non-blank line is one raw document, so a
// line that is not JSON is reported by ParseDocument, never read as text.
// Errors: NotFound / IOError for the file, IOError for a failed read (a
// closed standard input too): never taken for the end of the input.
Status ReadRawDocuments(const std::string& path, const std::function<void(RawDocument)>& take,
                        ReadCounts* counts);

// A JSONL line as {"id", "text", ...} (other fields become the metadata), or
// a text file as a document whose id is its path. Errors: InvalidArgument
// naming what is wrong with the line (JSON nested deeper than kMaxJsonDepth
// included). Thread-safe.
Result<source::IndexDocument> ParseDocument(RawDocument raw);

// ReadRawDocuments + ParseDocument: calls `take` for each document of `path`.
// Malformed lines (not JSON, no string "id" or "text") are reported on
// stderr as "path:line: why" and skipped; so are documents `take` refuses
// (its Status message is printed). Errors: NotFound / IOError for the file.
Status ReadDocuments(const std::string& path,
                     const std::function<Status(source::IndexDocument, uint64_t line)>& take,
                     ReadCounts* counts);

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_DOCUMENTS_H_
