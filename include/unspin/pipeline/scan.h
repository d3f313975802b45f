// The scan use case: check every document of many inputs (text, HTML, WARC,
// JSONL files, directories) on all cores and write one JSON result line per
// document, resumably.
//
//   pipeline::Checker checker(*model);
//   pipeline::ScanOptions options;
//   options.threads = 8;
//   UNSPIN_ASSIGN_OR_RETURN(pipeline::ScanSummary summary,
//                           pipeline::Scan(checker, {"crawl.warc.gz", "pages/"},
//                                          "results.jsonl", options));
//   std::cerr << pipeline::ScanSummaryToJson(summary) << "\n";
//
// Each document goes through Extract (HTML to text, debris lines) and the
// Checker on its article (title and body lines). Results are written in input
// order (files in the order given, directories expanded in sorted order,
// records in file order), so two runs write the same bytes. The output's
// first line is a header naming the inputs and settings (ScanHeader). Resume
// (docs/scan.md): an existing output file with the same header is read
// first; lines that are not complete JSON result lines (a torn last line) are
// cut off, and every (input, record) already in it is skipped, so re-running
// the same command after a crash or a kill loses and duplicates nothing. Any
// other existing file is left as it is and the scan refused (a results file
// of other inputs or settings may be replaced: ScanOptions::overwrite).
#ifndef UNSPIN_PIPELINE_SCAN_H_
#define UNSPIN_PIPELINE_SCAN_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/extract/records.h"
#include "unspin/pipeline/check.h"

namespace unspin::pipeline {

// The optional source-finding stage: given a document, the text that was
// checked (the article body) and the check result, the JSON text of its best
// source match (an object), nullopt for none, or the error that kept it from
// looking (a damaged index document). Called from the worker threads, so it
// must be thread-safe. The "source" field of a result line holds what it
// returns (null without a finder; {"error": "..."} for an error).
using SourceFinder = std::function<Result<std::optional<std::string>>(
    const extract::Document&, std::string_view checked_text, const CheckResult&)>;

struct ScanProgress {
  uint64_t documents = 0;    // result lines written in this run
  uint64_t bytes_read = 0;   // input bytes consumed (compressed bytes for gzip)
  uint64_t total_bytes = 0;  // size of all inputs
  double seconds = 0;        // since the scan started
};

inline constexpr uint64_t kDefaultScanMemoryBytes = uint64_t{1} << 30;

struct ScanOptions {
  int threads = 0;  // worker threads; 0: one per core
  SourceFinder find_source;
  // The checker of one document (scan --adapt: its site's, with the site's
  // learned channel); nullptr, or no function: the scan's checker. Called
  // from the worker threads, so it must be thread-safe.
  std::function<const Checker*(const extract::Document&)> checker_for;
  // Called from one thread at a time, at most every 200 ms and once at the end.
  std::function<void(const ScanProgress&)> progress;
  uint64_t max_record_bytes = uint64_t{64} << 20;  // extract::ReaderOptions::max_record_bytes
  // Every input's format (extract::ReaderOptions::format); nullopt: detected
  // per file. Record it in `settings` ("format") when set: it decides the lines.
  std::optional<extract::InputFormat> format;
  // The records in flight (read, being checked, or waiting to be written)
  // hold at most this many bytes of content together: the reader waits for
  // room. A record larger than the whole budget is not checked: its result
  // line is an error naming its size and the budget. Checking a record takes
  // about its size again (its spans), plus one window's working memory
  // (CheckInWindows) per thread.
  uint64_t memory_bytes = kDefaultScanMemoryBytes;
  // What decides the result lines besides the inputs (name -> value, e.g.
  // "model" -> the model's fingerprint, "index" -> the index directory),
  // recorded in the output's header line: an output whose header records
  // other inputs or settings is not resumed.
  std::map<std::string, std::string> settings;
  // Replace an existing results file whose header records other inputs or
  // settings, instead of refusing it. Never an input, never a file that is
  // not a results file.
  bool overwrite = false;
};

// A document whose result is already in the output: (input, record).
using ScanKey = std::pair<std::string, uint64_t>;

struct ScanSummary {
  uint64_t inputs = 0;           // files after expanding directories
  uint64_t documents = 0;        // result lines written in this run (errors included)
  uint64_t resumed = 0;          // documents skipped because the output had them
  uint64_t errors = 0;           // result lines with an "error" field (in "source" too)
  uint64_t truncated_bytes = 0;  // bytes of a torn tail cut from the output before resuming
  uint64_t replaced_bytes = 0;   // bytes of another scan's results replaced (overwrite)
  uint64_t bytes = 0;            // input bytes read
  double seconds = 0;
  std::map<std::string, uint64_t> inputs_by_format;           // "text", "html", "warc", "jsonl"
  std::map<std::string, uint64_t> documents_by_format;        // "text", "html"
  std::array<uint64_t, extract::kSkipReasonCount> skipped{};  // records, by SkipReason
  uint64_t unknown_charset = 0;
  uint64_t repaired_utf8 = 0;
  uint64_t resyncs = 0;
  // Documents by spun probability: [0, 0.1), [0.1, 0.2) ... [0.9, 1].
  std::array<uint64_t, 10> spun_histogram{};
  // Inputs that could not be read to the end, "path: message", and the
  // Status of the first of them (OK when all were read).
  std::vector<std::string> input_errors;
  Status first_input_error;
  // Reader warnings (bad JSONL lines, lying Content-Lengths), "path: message".
  std::vector<std::string> warnings;
};

// Expands directories (recursively, regular files only, sorted by path) and
// keeps files as given. Errors: NotFound for a path that does not exist.
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& paths);

// The first line of a results file (JSON, no newline):
// {"unspin_scan": 1, "inputs": [paths as given], "settings": {name: value}}.
// 1 is the version of the results format.
std::string ScanHeader(const std::vector<std::string>& inputs,
                       const std::map<std::string, std::string>& settings);

// True when `path` is a regular file whose first line is the header of a
// scan (any inputs and settings), or the start of one cut off.
bool IsScanResultsFile(const std::string& path);

// What an existing output holds for the scan whose header is `header`.
struct ScanResume {
  std::set<ScanKey> done;        // documents whose result lines it has
  bool header_written = false;   // it starts with `header`: append only
  uint64_t truncated_bytes = 0;  // a torn tail cut off
  uint64_t replaced_bytes = 0;   // another scan's results removed (overwrite)
};

// Prepares the output file `path` for the scan whose header line is `header`.
// A missing file, an empty one, one holding only the start of a header, or
// one that is not a regular file (a device such as /dev/null) is a new
// output. A file starting with `header` is resumed: the keys of its complete
// result lines are returned and the file is cut after the last of them (a
// torn line, or anything after the first line that is not a result line, is
// removed). A file whose header records other inputs or settings is emptied
// when `overwrite`, else refused. Errors: InvalidArgument (nothing touched)
// for a file of another scan without `overwrite`, or one that is not a
// results file at all; IOError when it cannot be read or truncated.
Result<ScanResume> LoadScanOutput(const std::string& path, std::string_view header, bool overwrite);

// The result line (JSON, no newline) of one document of `input`:
// {"id", "url", "input", "record", "format", "spun_probability", "words",
//  "top_spans": [{"start", "end", "text", "original", "score", "restored"}]
//  (up to 5, best first; offsets into the checked article), "debris_lines",
//  "source"}; or, when the document cannot be checked, {"id", "url", "input",
// "record", "format", "error", "source": null}. "id" is left out when the
// document's id is its url, "url" when it has none (docs/input.md).
// *spun_probability is set (-1 for an error line); *source_failed, when
// given, says whether `find_source` failed ("source": {"error": "..."}).
// Thread-safe.
std::string ScanDocument(const Checker& checker, const extract::Document& doc,
                         const std::string& input, const SourceFinder& find_source,
                         double* spun_probability, bool* source_failed = nullptr);

// Scans `inputs` (after ExpandInputs; a results file found in a scanned
// directory that is `out_path` itself is left out) into `out_path`
// (appending after LoadScanOutput, which writes the header line of a new
// output). An input that cannot be opened or read to the end is recorded in
// the summary and the scan goes on. Errors (the scan stops): InvalidArgument,
// before anything is read or written, when `out_path` is an input (the same
// file by any path or link, or a file in a scanned directory that is not a
// results file) or LoadScanOutput refuses it; NotFound for a missing input
// path; IOError when the output cannot be written. Results written before an
// error stay valid for a resume.
Result<ScanSummary> Scan(const Checker& checker, const std::vector<std::string>& inputs,
                         const std::string& out_path, const ScanOptions& options = {});

// {"inputs", "documents", "resumed", "errors", "bytes", "seconds",
//  "inputs_by_format", "documents_by_format", "skipped": {reason: n},
//  "unknown_charset", "repaired_utf8", "resyncs", "truncated_output_bytes",
//  "replaced_output_bytes", "spun_histogram": [10], "input_errors": [...]}.
std::string ScanSummaryToJson(const ScanSummary& summary);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_SCAN_H_
