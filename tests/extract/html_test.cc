#include "unspin/extract/html.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace unspin::extract {
namespace {

std::vector<std::string> Lines(const HtmlText& page) {
  std::vector<std::string> out;
  for (const HtmlLine& line : page.lines) {
    out.push_back(page.text.substr(line.start, line.end - line.start));
  }
  return out;
}

HtmlText Convert(std::string_view html, HtmlOptions options = {}) {
  Result<HtmlText> page = HtmlToText(html, options);
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  return page.ok() ? std::move(*page) : HtmlText();
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

const std::string kParagraph =
    "The harbour authority approved the dredging plan on Tuesday after two ships ran aground "
    "in the channel last month.";

TEST(HtmlToTextTest, ScriptAndStyleDroppedTitleKept) {
  std::string html =
      "<html><head><title>Harbour plan approved | Daily Tide</title>"
      "<style>p { color: red }</style><script>var secret = 'do not show';</script></head>"
      "<body><script>document.write('nope')</script><p>" +
      kParagraph + "</p><noscript>enable javascript</noscript></body></html>";
  HtmlText page = Convert(html);
  std::vector<std::string> lines = Lines(page);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Harbour plan approved");  // site name stripped
  EXPECT_EQ(page.lines[0].hint, LineKind::kTitle);
  EXPECT_EQ(lines[1], kParagraph);
  EXPECT_EQ(page.text.find("secret"), std::string::npos);
  EXPECT_EQ(page.text.find("color"), std::string::npos);
  EXPECT_EQ(page.text.find("javascript"), std::string::npos);
}

TEST(HtmlToTextTest, H1InsideArticleIsTheTitleNavAndFooterDropped) {
  std::string html =
      "<body><header><a href=/>Daily Tide</a><nav><a href=/a>World</a><a href=/b>Sport</a></nav>"
      "</header><article><header><h1>Harbour plan <em>approved</em></h1></header><p>" +
      kParagraph + "</p><p>" + kParagraph +
      "</p></article><aside><p>Most read today</p></aside><footer>Privacy policy</footer></body>";
  std::vector<std::string> lines = Lines(Convert(html));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "Harbour plan approved");
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("World"), std::string::npos);
    EXPECT_EQ(line.find("Most read"), std::string::npos);
    EXPECT_EQ(line.find("Privacy"), std::string::npos);
  }
}

TEST(HtmlToTextTest, NestedBlocksBecomeLinesAndWhitespaceCollapses) {
  HtmlText page = Convert(
      "<div>  <div><p>one\n  two</p>three<div>four<br>five</div></div> six&nbsp;&amp; seven "
      "<ul><li>eight</li><li>nine</li></ul></div><pre>a  b\nc</pre>",
      {.main_content = false});
  std::vector<std::string> expected = {"one two", "three", "four", "five", "six & seven",
                                       "eight",   "nine",  "a  b", "c"};
  EXPECT_EQ(Lines(page), expected);
}

TEST(HtmlToTextTest, BrokenHtmlIsRepaired) {
  HtmlText page =
      Convert("<p>first<p>second<div>third <b><i>bold</b> italic</i><table><tr><td>cell",
              {.main_content = false});
  std::vector<std::string> expected = {"first", "second", "third bold italic", "cell"};
  EXPECT_EQ(Lines(page), expected);
  // Garbage: stray end tags, unterminated comments and attributes.
  for (std::string_view garbage :
       {"</div></p></html>", "<p class=\"x", "<!-- never closed", "<<<>>><a href=", "&#xFFFFFF;",
        "<table><td><table><td><p><li><dd>", ""}) {
    Result<HtmlText> result = HtmlToText(garbage);
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(ValidUtf8(result->text));
  }
}

TEST(HtmlToTextTest, Windows1252IsDecodedAndOffsetsPointAtPageBytes) {
  std::string html =
      "<html><head><meta charset=\"windows-1252\"></head><body><p>\x93"
      "Caf\xE9 prices rose,\x94 "
      "she said.</p><p>Second \x96 line.</p></body></html>";
  HtmlText page = Convert(html, {.main_content = false});
  EXPECT_EQ(page.charset, "windows-1252");
  std::vector<std::string> lines = Lines(page);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "\xE2\x80\x9C"
            "Caf\xC3\xA9 prices rose,\xE2\x80\x9D she said.");
  EXPECT_EQ(lines[1], "Second \xE2\x80\x93 line.");
  EXPECT_EQ(html[page.lines[0].source_offset], '\x93');
  EXPECT_EQ(html.substr(page.lines[1].source_offset, 6), "Second");
}

TEST(HtmlToTextTest, Latin1AliasesAndUndeclaredCharsets) {
  std::string latin1 =
      "<meta http-equiv=Content-Type content='text/html; charset=ISO-8859-1'>"
      "<p>na\xEFve</p>";
  EXPECT_EQ(Lines(Convert(latin1, {.main_content = false})).back(), "na\xC3\xAFve");
  // Declared as UTF-8 (or not at all) but with stray bytes: U+FFFD, valid output.
  std::string broken = "<meta charset=utf-8><p>bad \xFF\xFE bytes \xC3</p><p>\xE2\x82</p>";
  HtmlText page = Convert(broken, {.main_content = false});
  EXPECT_EQ(page.charset, "utf-8");
  EXPECT_TRUE(ValidUtf8(page.text));
  EXPECT_NE(page.text.find("\xEF\xBF\xBD"), std::string::npos);
  // A charset we do not convert is read as UTF-8.
  EXPECT_EQ(Convert("<meta charset=shift_jis><p>abc</p>").charset, "utf-8");
}

TEST(HtmlToTextTest, TransportCharsetWinsOverMeta) {
  // An HTTP Content-Type charset decides, whatever <meta> says (HTML5).
  std::string page = "<meta charset=utf-8><p>caf\xE9 \x93quoted\x94</p>";
  HtmlText decoded = Convert(page, {.main_content = false, .charset = "windows-1252"});
  EXPECT_EQ(decoded.charset, "windows-1252");
  EXPECT_EQ(Lines(decoded).back(), "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D");
  std::string utf8 = "<meta charset=iso-8859-1><p>caf\xC3\xA9</p>";
  EXPECT_EQ(Lines(Convert(utf8, {.main_content = false, .charset = "utf-8"})).back(),
            "caf\xC3\xA9");
  EXPECT_EQ(Lines(Convert(utf8, {.main_content = false})).back(), "caf\xC3\x83\xC2\xA9");
}

TEST(HtmlToTextTest, OffsetsPointAtTheLineTextInThePage) {
  std::string html = "\xEF\xBB\xBF<html><body><article><h1>  Harbour plan</h1>\n<p>\n   " +
                     kParagraph + "</p><p><a href=/x>Linked</a> start of a paragraph that " +
                     "continues for a while and mentions the harbour again.</p>" +
                     "<figure><figcaption>Ships wait, May 2.</figcaption></figure></article>"
                     "</body></html>";
  HtmlText page = Convert(html);
  ASSERT_GE(page.lines.size(), 4u);
  for (const HtmlLine& line : page.lines) {
    std::string text = page.text.substr(line.start, line.end - line.start);
    std::string prefix = text.substr(0, 6);
    EXPECT_EQ(html.substr(line.source_offset, prefix.size()), prefix) << text;
  }
}

TEST(HtmlToTextTest, MarkupHintsAndClassifyPage) {
  std::string html =
      "<article><h1>Harbour plan approved</h1><div class=\"share-count\">134</div>"
      "<figure><figcaption>Dredgers wait offshore. <span class=\"credit\">Jo Smith/AP</span>"
      "</figcaption></figure><p>" +
      kParagraph + "</p><div class=\"related\"><a href=/r>Ferry fares rise again</a></div><p>" +
      kParagraph +
      "</p><p><a href=/1>One</a> <a href=/2>Two</a> <a href=/3>Three</a></p></article>";
  HtmlText page = Convert(html);
  std::vector<Line> lines = ClassifyPage(page);
  ASSERT_EQ(lines.size(), page.lines.size());
  std::vector<std::string> texts = Lines(page);
  std::vector<std::pair<std::string, LineKind>> expected = {
      {"Harbour plan approved", LineKind::kTitle},
      {"134", LineKind::kCounter},
      {"Dredgers wait offshore.", LineKind::kCaption},
      {"Jo Smith/AP", LineKind::kCredit},
      {kParagraph, LineKind::kBody},
      {"Ferry fares rise again", LineKind::kRelated},
      {kParagraph, LineKind::kBody},
      {"One Two Three", LineKind::kRelated}};
  ASSERT_EQ(texts.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(texts[i], expected[i].first);
    EXPECT_EQ(lines[i].kind, expected[i].second) << texts[i];
  }
}

TEST(HtmlToTextTest, MainContentDropsLinkListsAndBoilerplate) {
  std::string html =
      "<body><div id=menu><a href=/1>Glazes</a> | <a href=/2>Kilns</a></div>"
      "<div id=content><div class=post>";
  for (int i = 0; i < 5; ++i) html += "<p>" + kParagraph + "</p>";
  html +=
      "</div></div><div id=sidebar><ul><li><a href=/a>April 2024</a></li>"
      "<li><a href=/b>March 2024</a></li></ul><p>Powered by a blog engine.</p></div></body>";
  std::vector<std::string> lines = Lines(Convert(html));
  ASSERT_EQ(lines.size(), 5u);
  for (const std::string& line : lines) EXPECT_EQ(line, kParagraph);
}

TEST(HtmlToTextTest, LargePageInBoundedTime) {
  std::string html = "<html><head><title>Big</title></head><body><div class=wrap>";
  while (html.size() < (size_t{5} << 20)) {
    html += "<div class=block><p>" + kParagraph + " <a href=/x>link</a> <b>bold</b></p>";
    html += "<ul><li>item one</li><li><span>item two</span></li></ul></div>\n";
  }
  html += "</div></body></html>";
  auto start = std::chrono::steady_clock::now();
  Result<HtmlText> page = HtmlToText(html);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(page.ok());
  EXPECT_GT(page->lines.size(), 10000u);
  std::printf("5 MB page: %.2f s, %zu lines\n", seconds, page->lines.size());
  EXPECT_LT(seconds, 30.0);  // about 0.5 s in Release; generous for sanitizer builds
}

TEST(HtmlToTextTest, DeepNestingAndUnclosedTagsDoNotOverflowTheStack) {
  std::string html;
  for (int i = 0; i < 200000; ++i) html += "<div>";
  html += "deep text";
  Result<HtmlText> page = HtmlToText(html);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->text.find("deep text"), std::string::npos);
  std::string formatting;
  for (int i = 0; i < 20000; ++i) formatting += "<b><i>x</b></i>";
  ASSERT_TRUE(HtmlToText(formatting).ok());
}

TEST(HtmlToTextTest, OversizedPageIsRefused) {
  std::string html(2000, 'x');
  Result<HtmlText> page = HtmlToText(html, {.max_bytes = 1000});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace unspin::extract
