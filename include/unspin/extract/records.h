// Documents out of input files: a text or HTML file is one document, a WARC
// archive (WARC 1.0/1.1, plain or a sequence of gzip members) one per
// response, resource or conversion record with an HTML or text payload, a
// JSONL file one per line ({"id"|"url": ..., "text"|"html": ...}). Files are
// read as a stream in bounded memory (one record at a time), gzip member by
// member with zlib; any input may be gzip-compressed.
//
//   UNSPIN_ASSIGN_OR_RETURN(auto reader, extract::RecordReader::Open("crawl.warc.gz"));
//   extract::Document doc;
//   for (;;) {
//     UNSPIN_ASSIGN_OR_RETURN(bool more, reader->Next(&doc));
//     if (!more) break;
//     // doc.format is kText (doc.content is valid UTF-8) or kHtml (page bytes,
//     // pass doc.charset to HtmlToText)
//   }
//   // reader->stats(): documents, records skipped by reason, repaired charsets
//
// Rules (docs/scan.md): WARC response records need an HTTP response with a
// 2xx status; the body follows the blank line after the headers, chunked
// transfer-encoding is undone, gzip/deflate content-encoding inflated. Types
// other than response, resource and conversion (request, metadata, warcinfo,
// revisit) and content types other than HTML (text/html,
// application/xhtml+xml) and text/plain are skipped and counted. A record
// whose Content-Length is not followed by the CRLF CRLF trailer is skipped:
// the reader resynchronises on the next line starting "WARC/1." (inside the
// block when the length was too long, after it when too short). Records over
// ReaderOptions::max_record_bytes are skipped without being held in memory.
// Bad gzip data is skipped up to the next gzip member header (a warning, and
// ReaderStats::resyncs).
#ifndef UNSPIN_EXTRACT_RECORDS_H_
#define UNSPIN_EXTRACT_RECORDS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/extract/format.h"

namespace unspin::extract {

// Why a record gave no document.
enum class SkipReason : uint8_t {
  kNotResponse,      // WARC request, metadata, warcinfo, revisit ... records
  kNotText,          // a content type that is neither HTML nor text (images, PDF, CSS ...)
  kHttpStatus,       // HTTP status other than 2xx (redirects, errors)
  kTooLarge,         // over ReaderOptions::max_record_bytes
  kMalformed,        // unparsable WARC/HTTP headers, a lying Content-Length, a bad JSONL line
  kTruncated,        // the input ended inside the record
  kBinary,           // a text/HTML file or payload holding NUL bytes in its first 8 KiB
  kEmpty,            // no content (or only white space)
  kContentEncoding,  // an HTTP content-encoding other than gzip/deflate, or a broken one
};
inline constexpr size_t kSkipReasonCount = 9;

// Stable lower-case name: "not_response", "not_text", "http_status",
// "too_large", "malformed", "truncated", "binary", "empty", "content_encoding".
std::string_view SkipReasonName(SkipReason reason);

// One document read from an input.
struct Document {
  // The document's name (docs/input.md): a JSONL line's "id" (a string, or
  // a number as written), else its "url", else "<input>:<line>"; a WARC
  // record's WARC-Target-URI, else its WARC-Record-ID; a text or HTML file's
  // path ("-" for standard input).
  std::string id;
  bool id_is_url = false;  // `id` is the url: the record has no id of its own
  // A JSONL line's "url" or a WARC record's WARC-Target-URI; empty when none.
  std::string url;
  // A JSONL line's other members (all but "id", "text" and "html") as a JSON
  // object; "{}" for every other input.
  std::string metadata = "{}";
  // With ReaderOptions::report_every_record: why this record is not a
  // document (a malformed JSONL line or WARC record, one over
  // max_record_bytes, a binary payload), the message naming the line or
  // record; `content` is then empty. OK for a document.
  Status error;
  // kText: valid UTF-8 (declared latin-1/windows-1252 decoded, invalid bytes
  // replaced by U+FFFD). kHtml: the page bytes; HtmlToText decodes them with
  // `charset` (HtmlOptions::charset).
  std::string content;
  InputFormat format = InputFormat::kText;  // kText or kHtml
  std::string charset;  // declared charset, lower case; empty when none was declared
  // 0-based number of the record in its input: WARC records count from the
  // first record of the file (skipped records included), JSONL records are
  // line numbers - 1 (blank lines included); 0 for a text or HTML file.
  // Stable across runs: (input, record) names a document.
  uint64_t record = 0;
  // Byte offset in the input file where the record starts: the WARC header
  // line (for gzip input: the start of the gzip member holding it), the JSONL
  // line; 0 for a text or HTML file.
  uint64_t source_offset = 0;
};

struct ReaderStats {
  uint64_t records = 0;                              // records seen: documents + skipped
  uint64_t documents = 0;                            // documents returned by Next
  std::array<uint64_t, kSkipReasonCount> skipped{};  // indexed by SkipReason
  uint64_t unknown_charset = 0;  // documents in a charset other than UTF-8/latin-1, read as UTF-8
  uint64_t repaired_utf8 = 0;    // text documents whose invalid UTF-8 became U+FFFD
  uint64_t resyncs = 0;          // skips to the next "WARC/1." line or, past bad gzip data, member
  // The first 20 problems, for people: "record 3 at byte 1234: Content-Length ...".
  std::vector<std::string> warnings;

  uint64_t skipped_total() const;
};

struct ReaderOptions {
  // Records (WARC blocks, JSONL lines, whole text/HTML files) over this are
  // skipped (SkipReason::kTooLarge).
  uint64_t max_record_bytes = uint64_t{64} << 20;
  // The input's format; nullopt: JSONL for a file named so
  // (HasJsonLinesExtension, Open only), else DetectFormat on its first 64 KiB
  // (after gzip decompression when it starts with the gzip magic).
  std::optional<InputFormat> format;
  // False (scan): bad records are skipped and counted (ReaderStats), empty
  // ones too, and invalid UTF-8 in text is replaced by U+FFFD. True (the
  // verbs that read one input for a person): every record is returned as it
  // is, so that the caller reports each in its place: a bad one with
  // Document::error set (still counted), an empty one, and text with its
  // invalid UTF-8 kept (the checker names its byte offset).
  bool report_every_record = false;
};

// A JSONL line's "id" and "text" when the line is exactly an object of
// those two members, both strings (the common shape of an archive dump),
// decoded without building a JSON document: several times faster than a
// general parser on long texts. nullopt for every other line, valid or not
// (other members, other value types, escapes decoding to invalid UTF-8):
// parse it in full. The strings are what a conforming parser gives.
struct IdAndText {
  std::string id;
  std::string text;
};
std::optional<IdAndText> ParseIdTextLine(std::string_view line);

class RecordReader {
 public:
  // Opens a file ("-" is not accepted: inputs are read by path so they can be
  // resumed). Errors: NotFound / IOError naming the path; Corruption when it
  // starts with the gzip magic but is not gzip.
  static Result<std::unique_ptr<RecordReader>> Open(const std::string& path,
                                                    const ReaderOptions& options = {});
  // Reads documents out of `bytes` (held by the reader); `name` is the id of
  // a text or HTML document, and a JSONL input when it HasJsonLinesExtension.
  static Result<std::unique_ptr<RecordReader>> FromBytes(std::string bytes, std::string name,
                                                         const ReaderOptions& options = {});

  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;
  ~RecordReader();

  // Reads the next document into *doc (all fields overwritten). Returns true
  // when one was read, false at the end of the input. An error ends the
  // input (documents before it were returned; the record it cut is counted
  // as kTruncated): IOError for a read failure, Corruption for a gzip member
  // or WARC record cut off by the end of the file, or bad gzip data with no
  // gzip member after it (the message names the byte offset). Not thread-safe; memory is bounded by
  // the largest record read plus about 2 MiB.
  Result<bool> Next(Document* doc);

  InputFormat format() const;
  const ReaderStats& stats() const;
  // Bytes of the input consumed so far (compressed bytes for gzip input) and
  // its size, for progress reports.
  uint64_t bytes_read() const;
  uint64_t total_bytes() const;

  class Impl;

 private:
  explicit RecordReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True for the names of ISO-8859-1 and its aliases, US-ASCII and
// windows-1252 (all decoded as windows-1252, the WHATWG rule); `name` lower case.
bool IsWindows1252Charset(std::string_view name);

// Decodes windows-1252 bytes to UTF-8 (0x80..0x9F by the WHATWG table, the
// 5 undefined bytes as the C1 controls of the same value). Thread-safe.
std::string Windows1252ToUtf8(std::string_view bytes);

// Replaces each ill-formed UTF-8 sequence (maximal subpart) with U+FFFD.
// Returns true when something was replaced.
bool RepairUtf8(std::string* text);

}  // namespace unspin::extract

#endif  // UNSPIN_EXTRACT_RECORDS_H_
