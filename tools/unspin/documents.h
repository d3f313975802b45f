// The one document reader of every verb that reads documents (check,
// restore, extract, index build|add, find, cluster, scan reads through the
// same extract::RecordReader): text and HTML files, JSONL and WARC, chosen by
// --format or detected the same way, with the same ids and the same messages
// for a record that is not a document (docs/input.md).
//
//   ReadCounts counts;
//   Status read = ForEachRecord(path, "auto", [&](const Record& record) -> Status {
//     if (!record.doc.error.ok()) return ReportSkipped(record, record.doc.error, &counts);
//     UNSPIN_ASSIGN_OR_RETURN(std::string text, ArticleText(record.doc));
//     ...
//   }, &counts);
#ifndef UNSPIN_TOOLS_UNSPIN_DOCUMENTS_H_
#define UNSPIN_TOOLS_UNSPIN_DOCUMENTS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cli.h"
#include "unspin/base/status.h"
#include "unspin/extract/records.h"
#include "unspin/pipeline/extract.h"
#include "unspin/source/index.h"

namespace unspin::cli {

struct ReadCounts {
  uint64_t documents = 0;  // records the verb took as documents (it counts them)
  uint64_t rejected = 0;   // records reported on stderr and skipped
};

// One record of an input, and where it is, for people.
struct Record {
  extract::Document doc;
  // "crawl.jsonl:3" (a JSONL line; "-:3" on standard input), "crawl.warc:
  // record 4" (a WARC record), "page.html" (a whole file; "the input" for
  // standard input).
  std::string location;
  // The input holds many records (JSONL or WARC), each answered on its own.
  bool many = false;
};

// The --format option of every verb that reads documents: auto (detected),
// text, html, jsonl or warc.
void AddInputFormatOption(CLI::App* command, std::string* format);

// Opens `path` ("-": standard input; a pipe is read whole) with `format`
// (as AddInputFormatOption takes it), returning every record as it is
// (extract::ReaderOptions::report_every_record). Errors: NotFound / IOError
// for the input, ResourceExhausted for standard input over kMaxTextInputBytes,
// InvalidArgument for an unknown format.
Result<std::unique_ptr<extract::RecordReader>> OpenInput(const std::string& path,
                                                         const std::string& format);

// Reads every record of `path` and calls `take` with it, bad ones (their
// doc.error set) included: the caller reports those (ReportSkipped) or
// answers them in place. A Status `take` returns stops the reading and is
// returned. WARC records skipped as malformed are reported at the end.
// Errors: those of OpenInput, a read error (documents before it were taken).
Status ForEachRecord(const std::string& path, const std::string& format,
                     const std::function<Status(Record&)>& take, ReadCounts* counts);

// Prints "unspin: <location>: <why> (skipped)" and counts the record as
// rejected. Returns OK: a `take` returns it to read on.
Status ReportSkipped(const Record& record, const Status& why, ReadCounts* counts);

// The JSON object `object` (its text) with the record's "id" (unless the
// id is its url) and "url" (when it has one) put first: the line a verb
// prints for one record of many.
std::string WithRecordIds(const extract::Document& doc, std::string_view object);

// The start of that line, up to the object's own fields: `{"id":...,` (or
// `{"url":...,` / both), for a verb that writes the rest of the object in
// pieces, its opening '{' left out.
std::string RecordIdsHead(const extract::Document& doc);

// What check, restore, extract and find share while they answer record by
// record: the "==> id <==" headings, stopping early, the exit code.
class RecordAnswers {
 public:
  // Writes the heading of a record of many ("==> id <==", a blank line
  // before all but the first); nothing for a single document.
  void Heading(const Record& record);
  // Ends the reading: the verb exits with `exit_code` (already reported).
  // Returns the Status for `take` to return.
  Status Stop(int exit_code);
  // What `take` returns after writing a record's answer: OK, or a stop when
  // standard output failed.
  Status Next();
  // The verb's exit code once ForEachRecord returned `read`: a Stop's code,
  // 4 when output failed, the read error's (reported here), 2 when records
  // were skipped (their count said here), else `done`.
  int ExitCode(const Status& read, const ReadCounts& counts, int done = kExitOk) const;

 private:
  bool first_ = true;
  int stop_code_ = kExitOk;
};

// The text a verb checks, indexes or searches for: a text record as it is,
// an HTML one's article as `unspin extract` prints it. Errors:
// InvalidArgument / ResourceExhausted from pipeline::Extract.
Result<std::string> ArticleText(const extract::Document& doc);

// A record as an archive document (index build|add, cluster): its id, its
// metadata, and its text or, for a page, its article (what find and restore
// --index align with). Moves the content out of *doc. Errors: the record's
// own (doc->error), those of ArticleText.
Result<source::IndexDocument> ToIndexDocument(extract::Document* doc);

// One JSON object as an archive document, read as a JSONL record is (the id
// rules and fields of docs/input.md; `name` stands for the input in an id
// made up for a record without "id" or "url"). Errors: InvalidArgument for a
// record that is not one (the reader's message), those of ToIndexDocument.
Result<source::IndexDocument> JsonToIndexDocument(std::string json, std::string name);

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_DOCUMENTS_H_
