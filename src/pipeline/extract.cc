#include "unspin/pipeline/extract.h"

#include <nlohmann/json.hpp>

#include "unspin/extract/html.h"
#include "unspin/text/utf8.h"

namespace unspin::pipeline {

Result<ExtractResult> ExtractDocument(const extract::Document& doc) {
  ExtractOptions options;
  options.format = doc.format;
  options.charset = doc.charset;
  return Extract(doc.content, options);
}

Result<ExtractResult> Extract(std::string_view input, const ExtractOptions& options) {
  if (input.size() > UINT32_MAX) {
    return InvalidArgumentError("input of " + std::to_string(input.size()) +
                                " bytes is over the 4 GiB limit");
  }
  ExtractResult result;
  result.format = options.format.value_or(extract::DetectFormat(input));
  if (result.format == extract::InputFormat::kWarc ||
      result.format == extract::InputFormat::kJsonl) {
    return InvalidArgumentError(
        std::string("the input is ") +
        (result.format == extract::InputFormat::kWarc ? "a WARC archive" : "JSON lines") +
        ", which holds many documents; read them with "
        "extract::RecordReader (unspin scan)");
  }
  if (result.format == extract::InputFormat::kHtml) {
    extract::HtmlOptions html_options;
    html_options.charset = options.charset;
    UNSPIN_ASSIGN_OR_RETURN(extract::HtmlText page, extract::HtmlToText(input, html_options));
    result.lines = extract::ClassifyPage(page);
    result.text = std::move(page.text);
    result.source_offsets.reserve(result.lines.size());
    size_t k = 0;
    for (const extract::Line& line : result.lines) {
      while (k + 1 < page.lines.size() && page.lines[k].end <= line.start) ++k;
      result.source_offsets.push_back(k < page.lines.size() ? page.lines[k].source_offset : 0);
    }
  } else {
    UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(input));
    result.text = std::string(input);
    result.lines = extract::ClassifyLines(result.text);
  }
  for (const extract::Line& line : result.lines) {
    if (extract::IsDebris(line.kind)) continue;
    if (!result.body.empty()) result.body += "\n";
    result.body.append(result.text, line.start, line.end - line.start);
    result.body += "\n";
  }
  return result;
}

std::string ExtractResultToJson(const ExtractResult& result) {
  // Field order is part of the CLI contract: ordered_json keeps insertion order.
  nlohmann::ordered_json out;
  out["format"] = extract::InputFormatName(result.format);
  out["body"] = result.body;
  nlohmann::ordered_json lines = nlohmann::ordered_json::array();
  bool html = result.format == extract::InputFormat::kHtml;
  for (size_t i = 0; i < result.lines.size(); ++i) {
    const extract::Line& line = result.lines[i];
    nlohmann::ordered_json entry;
    entry["start"] = line.start;
    entry["end"] = line.end;
    entry["kind"] = extract::LineKindName(line.kind);
    if (html) {
      entry["source_start"] = i < result.source_offsets.size() ? result.source_offsets[i] : 0;
      entry["text"] = std::string_view(result.text).substr(line.start, line.end - line.start);
    }
    lines.push_back(std::move(entry));
  }
  out["lines"] = std::move(lines);
  // Text input is validated UTF-8 and HTML text is sanitised, so `replace`
  // never fires; it keeps dump() from throwing whatever happens.
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace unspin::pipeline
