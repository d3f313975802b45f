// A check shown to people: the JSON the web page renders (tools/unspin/web/
// index.html), served by /v1/check and embedded by `check --html` in a copy
// of the page that needs no server (a standalone report).
//
//   std::string view = CheckViewJson(result, page ? &*page : nullptr);
//   std::string html = HtmlReport("article.txt", checked_text, view);
//   // a complete HTML file: the page, showing this check, fetching nothing
#ifndef UNSPIN_TOOLS_UNSPIN_CHECK_VIEW_H_
#define UNSPIN_TOOLS_UNSPIN_CHECK_VIEW_H_

#include <string>
#include <string_view>

#include "unspin/pipeline/check.h"
#include "unspin/pipeline/extract.h"

namespace unspin::cli {

// The web page, embedded at build time (cmake/embed.cmake).
extern const std::string_view kWebPage;

// pipeline::CheckResultToJson of the checked text; for an HTML page (`page`
// not null: the extraction whose body was checked) with two more fields:
// "article", the checked text (the body, which the offsets point into), and
// "page": {"text": the page's text, "lines": [{"start", "end", "kind",
// "article_start"}]}, every non-blank line of it with its kind (as `unspin
// extract --json`); an article line (kind "title" or "body") also has
// "article_start", where the same bytes begin in "article", so that a view
// can show the whole page with its debris set apart and the spans in place.
std::string CheckViewJson(const pipeline::CheckResult& result, const pipeline::ExtractResult* page);

// The web page with a report embedded: {"name": name, "text": text, "check":
// view} in its <script id="report"> element, which the page renders instead
// of asking for a text. `text` is the checked text (the article for a page)
// and `view` a CheckViewJson of it. Every '<' of the JSON is written as
// \u003c, so no text can close the script element.
std::string HtmlReport(std::string_view name, std::string_view text, std::string_view view);

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_CHECK_VIEW_H_
