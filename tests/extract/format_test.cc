#include "unspin/extract/format.h"

#include <gtest/gtest.h>

namespace unspin::extract {
namespace {

TEST(DetectFormatTest, HtmlDocumentsAndFragments) {
  EXPECT_EQ(DetectFormat("<!DOCTYPE html><html><body>x</body></html>"), InputFormat::kHtml);
  EXPECT_EQ(DetectFormat("\xEF\xBB\xBF  \n<html>"), InputFormat::kHtml);
  EXPECT_EQ(DetectFormat("<!-- saved page -->\n<HTML><HEAD>"), InputFormat::kHtml);
  EXPECT_EQ(DetectFormat("<div class=\"story\"><p>Hello</p></div>"), InputFormat::kHtml);
  EXPECT_EQ(DetectFormat("<p>One paragraph.</p>"), InputFormat::kHtml);
}

TEST(DetectFormatTest, PlainText) {
  EXPECT_EQ(DetectFormat(""), InputFormat::kText);
  EXPECT_EQ(DetectFormat("Blinken states he stopped working\n\n0\n134\n"), InputFormat::kText);
  EXPECT_EQ(DetectFormat("Use <div> tags to group content, the guide says.\n"), InputFormat::kText);
  EXPECT_EQ(DetectFormat("x < y and y > z\n<p> later"), InputFormat::kText);
}

// Issue 18: a JSONL file with a byte order mark or a header line is JSONL
// (its reader reports the header line), never one text.
TEST(DetectFormatTest, JsonLinesAfterAByteOrderMarkOrAHeaderLine) {
  EXPECT_EQ(DetectFormat("{\"id\": \"a\", \"text\": \"x\"}\n"), InputFormat::kJsonl);
  EXPECT_EQ(DetectFormat("\xEF\xBB\xBF{\"id\": \"a\", \"text\": \"x\"}\n"), InputFormat::kJsonl);
  EXPECT_EQ(DetectFormat("id,text\n{\"id\": \"a\", \"text\": \"x\"}\n"), InputFormat::kJsonl);
  EXPECT_EQ(DetectFormat("A title\n{not json} but prose\n"), InputFormat::kText);
  EXPECT_EQ(DetectFormat("One line of prose.\nAnother line.\n"), InputFormat::kText);
}

TEST(DetectFormatTest, NamesRoundTrip) {
  for (InputFormat format :
       {InputFormat::kText, InputFormat::kHtml, InputFormat::kWarc, InputFormat::kJsonl}) {
    Result<InputFormat> parsed = ParseInputFormat(InputFormatName(format));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, format);
  }
  Result<InputFormat> bad = ParseInputFormat("pdf");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace unspin::extract
