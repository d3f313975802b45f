#include "unspin/text/normalize.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "unspin/text/utf8.h"

namespace unspin::text {
namespace {

std::string Key(std::string_view token) {
  std::string key;
  AppendLookupKey(token, &key);
  return key;
}

TEST(TextLookupKeyTest, LowerCasesAscii) {
  EXPECT_EQ(Key("U.S."), "u.s.");
  EXPECT_EQ(Key("DON'T"), "don't");
  EXPECT_EQ(Key("China's"), "china's");
  EXPECT_EQ(Key("inFebruary"), "infebruary");
  EXPECT_EQ(Key("150"), "150");
  EXPECT_EQ(Key(""), "");
}

TEST(TextLookupKeyTest, MapsApostrophesQuotesAndDashes) {
  EXPECT_EQ(Key("Blinken\u2019s"), "blinken's");
  EXPECT_EQ(Key("don\u02BCt"), "don't");
  EXPECT_EQ(Key("\u201C"), "\"");
  EXPECT_EQ(Key("\u201D"), "\"");
  EXPECT_EQ(Key("\u2018"), "'");
  EXPECT_EQ(Key("\u2013"), "-");
  EXPECT_EQ(Key("\u2014"), "-");
  EXPECT_EQ(Key("\u2212"), "-");
}

TEST(TextLookupKeyTest, FoldsCaseAndCompatibilityForms) {
  EXPECT_EQ(Key("CAF\u00C9"), "caf\u00E9");
  EXPECT_EQ(Key("Cafe\u0301"), "caf\u00E9");    // composed after folding
  EXPECT_EQ(Key("\uFB01nal"), "final");         // ligature
  EXPECT_EQ(Key("Stra\u00DFe"), "strasse");     // full case folding
  EXPECT_EQ(Key("\uFF21\uFF22\uFF23"), "abc");  // full-width
  EXPECT_EQ(Key("\u0394\u0399\u0391"), "\u03B4\u03B9\u03B1");
  EXPECT_EQ(Key("in\u00ADcredible"), "incredible");  // soft hyphen dropped
}

TEST(TextLookupKeyTest, AppendsAndSurvivesIllFormedBytes) {
  std::string key = "x ";
  AppendLookupKey("Y\u2019Z", &key);
  EXPECT_EQ(key, "x y'z");
  EXPECT_EQ(Key("A\xFF\xC3\xA9"), "a\uFFFD\u00E9");
}

void ExpectValidMap(std::string_view input, const NormalizedText& norm) {
  const auto& offsets = norm.source_offsets;
  ASSERT_EQ(offsets.size(), norm.text.size() + 1);
  EXPECT_EQ(offsets.back(), input.size());
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    ASSERT_LE(offsets[i], offsets[i + 1]) << "at " << i;
    ASSERT_LT(offsets[i], input.size());
    // Every offset is the start of an input character.
    ASSERT_NE(static_cast<unsigned char>(input[offsets[i]]) & 0xC0, 0x80u) << "at " << i;
  }
}

TEST(TextNormalizeTest, AsciiIsUnchanged) {
  const std::string input = "Plain \"ASCII\" text - with\tpunctuation.\n";
  NormalizedText norm = Normalize(input);
  EXPECT_EQ(norm.text, input);
  for (size_t i = 0; i <= input.size(); ++i) EXPECT_EQ(norm.source_offsets[i], i);
}

TEST(TextNormalizeTest, MapsSpacesQuotesDashesAndLineEnds) {
  NormalizedText norm = Normalize("a\u00A0b\r\nc\rd");
  EXPECT_EQ(norm.text, "a b\nc\nd");
  EXPECT_EQ(norm.source_offsets, (std::vector<uint32_t>{0, 1, 3, 4, 6, 7, 8, 9}));

  norm = Normalize("\u201CBlinken\u2019s\u201D \u2013 BEIJING\u2014U.S.");
  EXPECT_EQ(norm.text, "\"Blinken's\" - BEIJING-U.S.");
  ExpectValidMap("\u201CBlinken\u2019s\u201D \u2013 BEIJING\u2014U.S.", norm);
  EXPECT_EQ(norm.source_offsets[0], 0u);
  EXPECT_EQ(norm.source_offsets[1], 3u);  // 'B' follows the 3-byte quote

  EXPECT_EQ(Normalize("x\u2028y\u0085z").text, "x\ny\nz");
  EXPECT_EQ(Normalize("wait\u2026").text, "wait...");
  EXPECT_EQ(Normalize("\uFEFFzero\u200Bwidth").text, "zerowidth");
}

TEST(TextNormalizeTest, CompatibilityAndCompositionKeepClusterOffsets) {
  const std::string input = "\uFB01x e\u0301 Stra\u00DFe";
  NormalizedText norm = Normalize(input);
  EXPECT_EQ(norm.text, "fix \u00E9 Stra\u00DFe");  // case is kept
  ExpectValidMap(input, norm);
  EXPECT_EQ(norm.source_offsets[0], 0u);  // 'f' and 'i' both come from the ligature
  EXPECT_EQ(norm.source_offsets[1], 0u);
  EXPECT_EQ(norm.source_offsets[2], 3u);
  // "é" (2 bytes) comes from the cluster "e" + U+0301 at input offset 5.
  EXPECT_EQ(norm.source_offsets[4], 5u);
  EXPECT_EQ(norm.source_offsets[5], 5u);
  EXPECT_EQ(norm.source_offsets[6], 8u);
}

TEST(TextNormalizeTest, IllFormedBytesBecomeReplacementCharacters) {
  NormalizedText norm = Normalize(
      "a\xFF"
      "b");
  EXPECT_EQ(norm.text, "a\uFFFDb");
  EXPECT_EQ(norm.source_offsets, (std::vector<uint32_t>{0, 1, 1, 1, 2, 3}));
}

TEST(TextNormalizeTest, OffsetMapPropertiesOnRandomValidStrings) {
  std::mt19937 rng(777);
  const std::string pieces[] = {
      "a",      "Z",      " ",      "\n",     "\r",         "\r\n",   ".",      "'",      "\"",
      "\u00A0", "\u2009", "\u201C", "\u201D", "\u2019",     "\u2013", "\u2014", "\uFB01", "\u0301",
      "\u0308", "\u00E9", "\u00DF", "\u4E2D", "\U0001F600", "\u00AD", "\u200B", "\uFEFF", "\uAC00",
      "\u1100", "\u1161", "\u2026", "\uFF21", "\u2028",     "\u0085", "\u00BD", "\u0345", "\u0F73"};
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const int length = static_cast<int>(rng() % 30);
    for (int k = 0; k < length; ++k) input += pieces[rng() % std::size(pieces)];
    ASSERT_TRUE(ValidateUtf8(input).ok());
    NormalizedText norm = Normalize(input);
    SCOPED_TRACE(input);
    ExpectValidMap(input, norm);
    EXPECT_TRUE(ValidateUtf8(norm.text).ok());
    EXPECT_EQ(norm.text.find('\r'), std::string::npos);
    // Spans map to the input range they came from: a normalised ASCII letter
    // maps back to itself.
    for (size_t i = 0; i < norm.text.size(); ++i) {
      const char c = norm.text[i];
      if ((c >= 'a' && c <= 'z') || c == 'Z') {
        if (input[norm.source_offsets[i]] == c) continue;
        // ...unless it came from a compatibility character ("ﬁ", "Ａ").
        EXPECT_GE(static_cast<unsigned char>(input[norm.source_offsets[i]]), 0x80u);
      }
    }
  }
}

TEST(TextNormalizeTest, IsIdempotentOnNewsText) {
  const std::string input =
      "BEIJING\u2013 U.S. Secretary\u00A0of State \u201CBlinken\u2019s\u201D \uFB01rst "
      "trip\u2026\r\n";
  const NormalizedText once = Normalize(input);
  EXPECT_EQ(Normalize(once.text).text, once.text);
}

}  // namespace
}  // namespace unspin::text
