// The extract use case: the article of a page or text, without its debris.
//
//   UNSPIN_ASSIGN_OR_RETURN(pipeline::ExtractResult page, pipeline::Extract(bytes));
//   std::cout << page.body;                                  // title + body paragraphs
//   std::cout << pipeline::ExtractResultToJson(page) << "\n";  // lines with kinds
//
// Text input is classified as it is (offsets into the input); HTML is first
// converted to text (extract/html.h), then classified with the markup's hints.
#ifndef UNSPIN_PIPELINE_EXTRACT_H_
#define UNSPIN_PIPELINE_EXTRACT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/extract/format.h"
#include "unspin/extract/lines.h"
#include "unspin/extract/records.h"

namespace unspin::pipeline {

struct ExtractOptions {
  // The input's format; nullopt: detect it (extract::DetectFormat).
  std::optional<extract::InputFormat> format;
  // HTML only: the charset the transport declared (extract::HtmlOptions::charset).
  std::string charset = {};
};

struct ExtractResult {
  extract::InputFormat format = extract::InputFormat::kText;
  // The classified text: the input itself for text, the page's text for HTML.
  std::string text;
  // Every non-blank line of `text` with its kind; offsets into `text`.
  std::vector<extract::Line> lines;
  // HTML only: for each of `lines`, the byte offset in the input where its
  // text starts (see extract::HtmlLine::source_offset). Empty for text.
  std::vector<uint32_t> source_offsets;
  // The article: the title and body lines in order, separated by blank
  // lines, ending with '\n' (empty when nothing is left).
  std::string body;
};

// Extracts the article of one document. Errors: InvalidArgument for a WARC
// or JSONL input (many documents: extract/records.h reads them), for text input that is not
// valid UTF-8 (the message names the byte offset; HTML is decoded leniently
// instead) or over 4 GiB; ResourceExhausted for HTML over 64 MiB. Thread-safe.
Result<ExtractResult> Extract(std::string_view input, const ExtractOptions& options = {});

// Extract on a record of extract::RecordReader, in its format and declared
// charset. Errors: those of Extract.
Result<ExtractResult> ExtractDocument(const extract::Document& doc);

// One JSON object: {"format", "body", "lines": [{"start", "end", "kind"}]};
// for HTML each line also has "source_start" (offset in the input) and
// "text" (the line, since offsets point into the extracted text).
std::string ExtractResultToJson(const ExtractResult& result);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_EXTRACT_H_
