// HTML to text: the article of a web page as lines of text, ready for
// ClassifyLines, with each line traceable to the bytes of the page.
//
//   UNSPIN_ASSIGN_OR_RETURN(extract::HtmlText page, extract::HtmlToText(html));
//   std::vector<extract::Line> lines = extract::ClassifyLines(page.text);
//   // page.lines[i] describes the i-th line of page.text: its offset in the
//   // HTML and the kind the markup suggests (title, figcaption, "share" ...).
//
// Rules (docs/extract.md): the page is parsed with gumbo, a conforming HTML5
// parser, so broken markup (unclosed tags, stray end tags) is repaired the way
// browsers repair it. script, style, noscript, template, nav, footer, aside,
// form, iframe, svg, button and hidden elements are dropped; so is a <header>
// outside <article>/<main>. Block elements (p, div, li, h1..h6, td, br ...)
// end lines; white space is collapsed except inside <pre>. The main content is
// the element whose paragraphs hold the most text (text density), widened
// until it holds most of the page's paragraph text; lines outside it are
// dropped, link-dense lines inside it are marked as related links. The title
// (the <h1> of the main content, else the <h1> that matches <title>, else
// <title> without its site name) is always the first line.
#ifndef UNSPIN_EXTRACT_HTML_H_
#define UNSPIN_EXTRACT_HTML_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/extract/lines.h"

namespace unspin::extract {

// One line of HtmlText::text.
struct HtmlLine {
  uint32_t start = 0;  // byte range of the line in HtmlText::text, half-open, no '\n'
  uint32_t end = 0;
  // Byte offset in the page (as given to HtmlToText) of the first character
  // of the line's first text node that contributed text. Only the start is
  // traceable: entities (&amp;), collapsed white space and inline tags make
  // later bytes of the line differ from the page.
  uint32_t source_offset = 0;
  // What the markup says about the line: kTitle for the title; kCaption for
  // <figcaption>; a debris kind when an ancestor's class or id names one
  // ("share", "related", "credit", "caption", "ad", "sponsor" ...); kBody
  // otherwise.
  LineKind hint = LineKind::kBody;
  // Share of the line's bytes inside <a> elements, 0..1.
  float link_density = 0;
};

struct HtmlText {
  std::string text;             // one line per block, '\n'-separated, valid UTF-8
  std::vector<HtmlLine> lines;  // one per line of `text`, in order
  std::string charset;          // "utf-8" or "windows-1252": how the page was decoded
};

struct HtmlOptions {
  // Larger pages are refused with ResourceExhausted: the parse tree takes
  // roughly 10 to 20 times the size of the page.
  uint64_t max_bytes = uint64_t{64} << 20;
  // Keep only the main content (false: every visible block of the page).
  bool main_content = true;
  // The charset the transport declared (an HTTP Content-Type), lower case;
  // when set it decides instead of the page's <meta> (the HTML5 rule).
  std::string charset = {};
};

// Converts `page` to text. Charset: UTF-8 unless options.charset or a <meta charset> or
// http-equiv Content-Type in the first 4 KiB names ISO-8859-1, Latin-1,
// US-ASCII or windows-1252 (decoded as windows-1252, its superset, as browsers
// do); any other declared charset is read as UTF-8. Invalid UTF-8 becomes
// U+FFFD. Never crashes on malformed input; time and memory are linear in the
// size of the page (nesting depth does not use the call stack).
// Errors: ResourceExhausted over options.max_bytes; Internal if the parser
// fails. Thread-safe.
Result<HtmlText> HtmlToText(std::string_view page, const HtmlOptions& options = {});

// ClassifyLines(page.text) combined with the markup's evidence: a title hint
// makes the title; a debris hint (class names, <figcaption>) decides the kind;
// else the text classifier's kind; else a line that is mostly link text
// (link_density >= 0.6) is kRelated. Returns one Line per line of page.text,
// offsets into page.text. Thread-safe.
std::vector<Line> ClassifyPage(const HtmlText& page);

}  // namespace unspin::extract

#endif  // UNSPIN_EXTRACT_HTML_H_
