#include "check_view.h"

#include <nlohmann/json.hpp>

#include "unspin/base/check.h"
#include "unspin/extract/lines.h"

namespace unspin::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The element the page reads a report from (tools/unspin/web/index.html).
constexpr std::string_view kReportElement = R"(<script type="application/json" id="report">)";

}  // namespace

std::string CheckViewJson(const pipeline::CheckResult& result,
                          const pipeline::ExtractResult* page) {
  std::string json = pipeline::CheckResultToJson(result);
  if (page == nullptr || json.empty() || json.back() != '}') return json;
  // The article lines follow each other in the body as Extract joins them:
  // each line, then "\n", with a blank line between two.
  Json lines = Json::array();
  uint32_t article_at = 0;
  for (const extract::Line& line : page->lines) {
    Json entry = {
        {"start", line.start}, {"end", line.end}, {"kind", extract::LineKindName(line.kind)}};
    if (!extract::IsDebris(line.kind)) {
      entry["article_start"] = article_at;
      article_at += line.end - line.start + 2;
    }
    lines.push_back(std::move(entry));
  }
  json.pop_back();
  json += ",\"article\":" + Dump(Json(page->body));
  json += ",\"page\":" + Dump(Json{{"text", page->text}, {"lines", std::move(lines)}}) + "}";
  return json;
}

std::string HtmlReport(std::string_view name, std::string_view text, std::string_view view) {
  std::string report = "{\"name\":" + Dump(Json(name)) + ",\"text\":" + Dump(Json(text)) +
                       ",\"check\":" + std::string(view) + "}";
  std::string escaped;
  escaped.reserve(report.size());
  for (char c : report) {
    // '<' appears in JSON only inside strings, where \u003c means the same.
    if (c == '<') {
      escaped += "\\u003c";
    } else {
      escaped += c;
    }
  }
  std::string page(kWebPage);
  const size_t at = page.find(kReportElement);
  UNSPIN_CHECK(at != std::string::npos);  // the page is built with it
  page.insert(at + kReportElement.size(), escaped);
  return page;
}

}  // namespace unspin::cli
