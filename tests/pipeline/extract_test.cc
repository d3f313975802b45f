#include "unspin/pipeline/extract.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace unspin::pipeline {
namespace {

const std::string kParagraph =
    "The harbour authority approved the dredging plan on Tuesday after two ships ran aground "
    "in the channel last month.";

TEST(ExtractTest, TextKeepsTitleAndBodyDropsDebris) {
  std::string input =
      "Harbour plan approved\n\n134\n\n" + kParagraph + "\n\nAdvertisement\n\n" + kParagraph + "\n";
  Result<ExtractResult> result = Extract(input);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->format, extract::InputFormat::kText);
  EXPECT_EQ(result->text, input);
  EXPECT_TRUE(result->source_offsets.empty());
  EXPECT_EQ(result->body, "Harbour plan approved\n\n" + kParagraph + "\n\n" + kParagraph + "\n");
  ASSERT_EQ(result->lines.size(), 5u);
  EXPECT_EQ(result->lines[1].kind, extract::LineKind::kCounter);
  EXPECT_EQ(input.substr(result->lines[1].start, result->lines[1].end - result->lines[1].start),
            "134");

  nlohmann::json json = nlohmann::json::parse(ExtractResultToJson(*result));
  EXPECT_EQ(json["format"], "text");
  EXPECT_EQ(json["body"], result->body);
  ASSERT_EQ(json["lines"].size(), 5u);
  EXPECT_EQ(json["lines"][1]["kind"], "counter");
  EXPECT_EQ(json["lines"][1]["start"], result->lines[1].start);
  EXPECT_EQ(json["lines"][1]["end"], result->lines[1].end);
  EXPECT_FALSE(json["lines"][1].contains("source_start"));
}

TEST(ExtractTest, HtmlIsDetectedAndTraceable) {
  std::string input = "<!doctype html><title>Harbour plan approved - Tide</title><article><p>" +
                      kParagraph + "</p><div class=share><a href=#>Share</a></div></article>";
  Result<ExtractResult> result = Extract(input);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->format, extract::InputFormat::kHtml);
  EXPECT_EQ(result->body, "Harbour plan approved\n\n" + kParagraph + "\n");
  ASSERT_EQ(result->source_offsets.size(), result->lines.size());
  nlohmann::json json = nlohmann::json::parse(ExtractResultToJson(*result));
  ASSERT_EQ(json["lines"].size(), 3u);
  EXPECT_EQ(json["lines"][1]["text"], kParagraph);
  EXPECT_EQ(input.substr(json["lines"][1]["source_start"].get<size_t>(), 10),
            kParagraph.substr(0, 10));
  EXPECT_EQ(json["lines"][2]["kind"], "share");
}

TEST(ExtractTest, ArchivesAreRefusedWithAPointerToTheReader) {
  Result<ExtractResult> warc = Extract("WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n");
  ASSERT_FALSE(warc.ok());
  EXPECT_EQ(warc.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(warc.status().message().find("unspin scan"), std::string::npos);
  Result<ExtractResult> jsonl = Extract("{\"text\": \"a\"}\n");
  ASSERT_FALSE(jsonl.ok());
  // Forced to text, the same bytes are one text document.
  ExtractOptions text;
  text.format = extract::InputFormat::kText;
  EXPECT_TRUE(Extract("{\"text\": \"a\"}\n", text).ok());
}

TEST(ExtractTest, ForcedFormatAndBadInput) {
  std::string html_looking = "<p>not parsed</p>\n";
  Result<ExtractResult> text = Extract(html_looking, {.format = extract::InputFormat::kText});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->body, html_looking);
  Result<ExtractResult> bad = Extract("caf\xC3 bad\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  // HTML decodes leniently instead.
  Result<ExtractResult> html = Extract("<p>caf\xC3 bad</p>");
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->body.find("\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace unspin::pipeline
