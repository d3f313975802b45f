#include "unspin/text/tokenize.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "unspin/text/normalize.h"
#include "unspin/text/utf8.h"

namespace unspin::text {
namespace {

using Texts = std::vector<std::string>;

std::string_view TokenText(std::string_view input, const Token& token) {
  return input.substr(token.begin, token.end - token.begin);
}

Texts TokenTexts(std::string_view input) {
  Texts texts;
  for (const Token& token : Tokenize(input).tokens) texts.emplace_back(TokenText(input, token));
  return texts;
}

// Sentence texts: input bytes of each sentence's range.
Texts SentenceTexts(std::string_view input) {
  Texts texts;
  for (const Sentence& s : Tokenize(input).sentences) {
    texts.emplace_back(input.substr(s.begin, s.end - s.begin));
  }
  return texts;
}

Texts QuoteTexts(std::string_view input) {
  Texts texts;
  for (const QuoteSpan& q : Tokenize(input).quotes) {
    texts.emplace_back(input.substr(q.begin, q.end - q.begin));
  }
  return texts;
}

bool IsBoundary(std::string_view input, size_t offset) {
  return offset == input.size() || (static_cast<unsigned char>(input[offset]) & 0xC0) != 0x80;
}

// The structural invariants every result must satisfy.
void ExpectInvariants(std::string_view input, const TokenizedText& tt, bool valid_utf8 = true) {
  uint32_t previous_end = 0;
  for (size_t k = 0; k < tt.tokens.size(); ++k) {
    const Token& token = tt.tokens[k];
    ASSERT_LT(token.begin, token.end) << "token " << k;
    ASSERT_LE(token.end, input.size());
    ASSERT_LE(previous_end, token.begin) << "token " << k << " overlaps";
    if (valid_utf8) {
      ASSERT_TRUE(IsBoundary(input, token.begin)) << "token " << k;
      ASSERT_TRUE(IsBoundary(input, token.end)) << "token " << k;
    }
    ASSERT_LT(token.sentence, tt.sentences.size());
    const Sentence& s = tt.sentences[token.sentence];
    ASSERT_GE(k, s.first_token);
    ASSERT_LT(k, s.first_token + s.token_count);
    previous_end = token.end;
  }
  uint32_t next_token = 0;
  for (const Sentence& s : tt.sentences) {
    ASSERT_EQ(s.first_token, next_token);
    ASSERT_GE(s.token_count, 1u);
    next_token += s.token_count;
    ASSERT_EQ(s.begin, tt.tokens[s.first_token].begin);
    ASSERT_EQ(s.end, tt.tokens[s.first_token + s.token_count - 1].end);
  }
  ASSERT_EQ(next_token, tt.tokens.size());
  for (size_t k = 0; k < tt.quotes.size(); ++k) {
    const QuoteSpan& q = tt.quotes[k];
    ASSERT_LT(q.begin, q.end);
    ASSERT_LE(q.end, input.size());
    if (k > 0) {
      ASSERT_LE(tt.quotes[k - 1].begin, q.begin);
    }
  }
  for (const Token& token : tt.tokens) {
    bool inside = false;
    for (const QuoteSpan& q : tt.quotes) inside |= q.begin <= token.begin && token.end <= q.end;
    ASSERT_EQ(token.quoted, inside);
  }
}

TEST(TextTokenizeTest, WordsKeepInternalApostrophes) {
  EXPECT_EQ(TokenTexts("Blinken\u2019s journey"), (Texts{"Blinken\u2019s", "journey"}));
  EXPECT_EQ(TokenTexts("don't it's haven't China's"),
            (Texts{"don't", "it's", "haven't", "China's"}));
  EXPECT_EQ(TokenTexts("Both nations\u2019 defense"),
            (Texts{"Both", "nations", "\u2019", "defense"}));
  EXPECT_EQ(TokenTexts("'90s rock'n'roll"), (Texts{"'", "90s", "rock'n'roll"}));
  EXPECT_EQ(TokenTexts("it's'"), (Texts{"it's", "'"}));
}

TEST(TextTokenizeTest, HyphensAndDashesAreSeparateTokens) {
  EXPECT_EQ(TokenTexts("military-to-military talks"),
            (Texts{"military", "-", "to", "-", "military", "talks"}));
  EXPECT_EQ(TokenTexts("BEIJING\u2013 U.S. Secretary"),
            (Texts{"BEIJING", "\u2013", "U.S.", "Secretary"}));
  EXPECT_EQ(TokenTexts("U.S.-China conferences"), (Texts{"U.S.", "-", "China", "conferences"}));
  EXPECT_EQ(TokenTexts("2 days\u2014 the"), (Texts{"2", "days", "\u2014", "the"}));
  EXPECT_EQ(TokenTexts("Mandarin- language"), (Texts{"Mandarin", "-", "language"}));
}

TEST(TextTokenizeTest, Abbreviations) {
  EXPECT_EQ(TokenTexts("e.g. this, i.e. that"), (Texts{"e.g.", "this", ",", "i.e.", "that"}));
  EXPECT_EQ(TokenTexts("the U.S. and Ph.D. at 5 p.m."),
            (Texts{"the", "U.S.", "and", "Ph.D.", "at", "5", "p.m."}));
  EXPECT_EQ(TokenTexts("U.S"), (Texts{"U.S"}));
  EXPECT_EQ(TokenTexts("Mr. Smith"), (Texts{"Mr", ".", "Smith"}));
  EXPECT_EQ(TokenTexts("end.Next"), (Texts{"end", ".", "Next"}));
  EXPECT_EQ(TokenTexts("example.com"), (Texts{"example", ".", "com"}));
}

TEST(TextTokenizeTest, NumbersAndSymbols) {
  const std::string input = "$3 Billion, 150 backyards, 3.5 and 1,000. 4th";
  TokenizedText tt = Tokenize(input);
  Texts texts;
  for (const Token& t : tt.tokens) texts.emplace_back(TokenText(input, t));
  EXPECT_EQ(texts, (Texts{"$", "3", "Billion", ",", "150", "backyards", ",", "3.5", "and", "1,000",
                          ".", "4th"}));
  EXPECT_EQ(tt.tokens[0].kind, TokenKind::kSymbol);
  EXPECT_EQ(tt.tokens[1].kind, TokenKind::kNumber);
  EXPECT_EQ(tt.tokens[2].kind, TokenKind::kWord);
  EXPECT_EQ(tt.tokens[3].kind, TokenKind::kPunctuation);
  EXPECT_EQ(tt.tokens[7].kind, TokenKind::kNumber);
  EXPECT_EQ(tt.tokens[9].kind, TokenKind::kNumber);
  EXPECT_EQ(tt.tokens[11].kind, TokenKind::kWord);
}

TEST(TextTokenizeTest, PunctuationAndGluedTokens) {
  EXPECT_EQ(TokenTexts("Wait... what?!"), (Texts{"Wait", "...", "what", "?", "!"}));
  EXPECT_EQ(TokenTexts("balloon inFebruary Beijing"), (Texts{"balloon", "inFebruary", "Beijing"}));
  EXPECT_EQ(TokenTexts("Pedro Pardo|AFP|Getty Images"),
            (Texts{"Pedro", "Pardo", "|", "AFP", "|", "Getty", "Images"}));
  EXPECT_EQ(TokenTexts("(see: [1])"), (Texts{"(", "see", ":", "[", "1", "]", ")"}));
  EXPECT_EQ(TokenTexts("caf\u00E9 e\u0301t\u00E9 \u4E2D\u6587 \U0001F600"),
            (Texts{"caf\u00E9", "e\u0301t\u00E9", "\u4E2D\u6587", "\U0001F600"}));
  EXPECT_EQ(TokenTexts("in\u00ADcredible \u200B x"), (Texts{"in\u00ADcredible", "x"}));
  EXPECT_EQ(TokenTexts(""), Texts{});
  EXPECT_EQ(TokenTexts(" \n\t "), Texts{});
}

TEST(TextTokenizeTest, SpaceBefore) {
  TokenizedText tt = Tokenize(" a,b \u00A0c");
  ASSERT_EQ(tt.tokens.size(), 4u);
  EXPECT_TRUE(tt.tokens[0].space_before);
  EXPECT_FALSE(tt.tokens[1].space_before);
  EXPECT_FALSE(tt.tokens[2].space_before);
  EXPECT_TRUE(tt.tokens[3].space_before);
}

TEST(TextTokenizeTest, LookupKeysOfTokens) {
  const std::string input = "Blinken\u2019s U.S.-China talks DON'T";
  std::string keys;
  for (const Token& t : Tokenize(input).tokens) {
    AppendLookupKey(TokenText(input, t), &keys);
    keys += ' ';
  }
  EXPECT_EQ(keys, "blinken's u.s. - china talks don't ");
}

TEST(TextSentenceTest, SplitsAfterTerminalPunctuation) {
  EXPECT_EQ(SentenceTexts("Mr. Smith went home. He slept! Did he? Yes."),
            (Texts{"Mr. Smith went home.", "He slept!", "Did he?", "Yes."}));
  EXPECT_EQ(SentenceTexts("It fell 3.5 points. 2023 was bad."),
            (Texts{"It fell 3.5 points.", "2023 was bad."}));
  EXPECT_EQ(SentenceTexts("no break. after a lower-case word"),
            (Texts{"no break. after a lower-case word"}));
  EXPECT_EQ(SentenceTexts("Met Dr. Jones and John F. Kennedy on Jan. 5. Then left."),
            (Texts{"Met Dr. Jones and John F. Kennedy on Jan. 5.", "Then left."}));
}

TEST(TextSentenceTest, ClosingQuotesStayWithTheirSentence) {
  EXPECT_EQ(SentenceTexts("He said \u201Cstop.\u201D Then he left."),
            (Texts{"He said \u201Cstop.\u201D", "Then he left."}));
  EXPECT_EQ(SentenceTexts("\u201CI think it\u2019s vital,\u201D Blinken stated. \u201CThat "
                          "imperative was underscored.\u201D"),
            (Texts{"\u201CI think it\u2019s vital,\u201D Blinken stated.",
                   "\u201CThat imperative was underscored.\u201D"}));
  EXPECT_EQ(SentenceTexts("She said \"no.\" (It was late.) Done."),
            (Texts{"She said \"no.\"", "(It was late.)", "Done."}));
}

TEST(TextSentenceTest, AbbreviationsWithInternalPeriods) {
  // "U.S." before a capitalised word continues the sentence, unless the word
  // is a typical sentence opener.
  EXPECT_EQ(SentenceTexts("BEIJING\u2013 U.S. Secretary of State Antony Blinken stated Monday."),
            (Texts{"BEIJING\u2013 U.S. Secretary of State Antony Blinken stated Monday."}));
  EXPECT_EQ(SentenceTexts("a balloon over the U.S. The talks ended."),
            (Texts{"a balloon over the U.S.", "The talks ended."}));
  EXPECT_EQ(SentenceTexts("Apple Inc. He left."), (Texts{"Apple Inc.", "He left."}));
}

TEST(TextSentenceTest, LineBreaksAndBlankLines) {
  EXPECT_EQ(SentenceTexts("U.S. sanctions at play\n\nAn problem for the Chinese is here."),
            (Texts{"U.S. sanctions at play", "An problem for the Chinese is here."}));
  EXPECT_EQ(SentenceTexts("Pedro Pardo|AFP|Getty Images\nBEIJING\u2013 U.S. Secretary"),
            (Texts{"Pedro Pardo|AFP|Getty Images", "BEIJING\u2013 U.S. Secretary"}));
  EXPECT_EQ(SentenceTexts("a line wrapped in\nthe middle"),
            (Texts{"a line wrapped in\nthe middle"}));
  EXPECT_EQ(SentenceTexts("lower case\n\nafter a blank line"),
            (Texts{"lower case", "after a blank line"}));
  EXPECT_EQ(SentenceTexts("Speech by Mr.\nSmith today"), (Texts{"Speech by Mr.\nSmith today"}));
  EXPECT_EQ(SentenceTexts("Windows line  \r\nNext one"), (Texts{"Windows line", "Next one"}));
}

TEST(TextQuoteTest, PairsCurlyAndStraightQuotes) {
  const std::string input =
      "Blinken informed NBC that the spy balloon \u201Cchapter should be closed.\u201D";
  EXPECT_EQ(QuoteTexts(input), (Texts{"\u201Cchapter should be closed.\u201D"}));
  TokenizedText tt = Tokenize(input);
  ExpectInvariants(input, tt);
  EXPECT_FALSE(tt.tokens[0].quoted);
  EXPECT_TRUE(tt.tokens.back().quoted);

  EXPECT_EQ(QuoteTexts("say \"a\" or \"b c\" now"), (Texts{"\"a\"", "\"b c\""}));
  EXPECT_EQ(QuoteTexts("\u00ABoui\u00BB"), (Texts{"\u00ABoui\u00BB"}));
}

TEST(TextQuoteTest, SingleQuotesOnlyWhenClearlyQuotation) {
  EXPECT_EQ(QuoteTexts("\u201CHe said \u2018no\u2019 today,\u201D she said."),
            (Texts{"\u201CHe said \u2018no\u2019 today,\u201D", "\u2018no\u2019"}));
  EXPECT_EQ(QuoteTexts("Blinken\u2019s trip and the nations\u2019 heads"), Texts{});
  EXPECT_EQ(QuoteTexts("rock \u2018n\u2019 roll"), (Texts{"\u2018n\u2019"}));
  EXPECT_EQ(QuoteTexts("a \u2018 b"), Texts{});          // detached: not a quote
  EXPECT_EQ(QuoteTexts("it's 'quoted' here"), Texts{});  // straight singles are never quotes
}

TEST(TextQuoteTest, UnbalancedQuotesEndWithTheParagraph) {
  EXPECT_EQ(QuoteTexts("\u201COpen quote runs on.\n\nNext paragraph."),
            (Texts{"\u201COpen quote runs on."}));
  // A multi-paragraph quotation re-opens in each paragraph.
  EXPECT_EQ(QuoteTexts("\u201CFirst part.\n\n\u201CSecond part.\u201D he said."),
            (Texts{"\u201CFirst part.", "\u201CSecond part.\u201D"}));
  EXPECT_EQ(QuoteTexts("stray close\u201D here"), Texts{});
  EXPECT_EQ(QuoteTexts("dangling \u201C"), Texts{});
  EXPECT_EQ(QuoteTexts("\u201Ca \u201Cb\u201D"), (Texts{"\u201Ca", "\u201Cb\u201D"}));
  EXPECT_EQ(QuoteTexts("one \" two"), (Texts{"\" two"}));
}

TEST(TextTokenizeTest, InvariantsOnRandomValidText) {
  std::mt19937 rng(4242);
  const std::string pieces[] = {
      "a",      "B",      "xyz",    "U.S.",       "e.g",    "3",      "1,0",  "3.",
      ".",      "...",    ",",      "'",          "\u2019", "\u2018", "\"",   "\u201C",
      "\u201D", " ",      "  ",     "\n",         "\n\n",   "\r\n",   "\t",   "-",
      "\u2013", "$",      "|",      "(",          ")",      "!",      "?",    "\u00A0",
      "\u00E9", "\u0301", "\u4E2D", "\U0001F600", "\u00AD", "\u200B", "\x01", "\u2028",
      "Mr",     "The",    "\u00AB", "\u00BB",     "\u2026", "\u0661"};
  for (int round = 0; round < 5000; ++round) {
    std::string input;
    const int length = static_cast<int>(rng() % 40);
    for (int k = 0; k < length; ++k) input += pieces[rng() % std::size(pieces)];
    ASSERT_TRUE(ValidateUtf8(input).ok());
    SCOPED_TRACE(input);
    TokenizedText tt = Tokenize(input);
    ExpectInvariants(input, tt);
    // Everything outside tokens is whitespace, control or format characters:
    // no letter, digit or ASCII punctuation is lost.
    std::vector<bool> covered(input.size(), false);
    for (const Token& t : tt.tokens) {
      for (uint32_t b = t.begin; b < t.end; ++b) covered[b] = true;
    }
    for (size_t b = 0; b < input.size(); ++b) {
      const auto c = static_cast<unsigned char>(input[b]);
      if (c > 0x20 && c < 0x7F) {
        ASSERT_TRUE(covered[b]) << "byte " << b;
      }
    }
    ASSERT_EQ(Tokenize(input).tokens.size(), tt.tokens.size());  // deterministic
  }
}

TEST(TextTokenizeTest, SurvivesIllFormedBytes) {
  std::mt19937 rng(99);
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    const int length = static_cast<int>(rng() % 40);
    for (int k = 0; k < length; ++k) {
      input.push_back(rng() % 3 == 0 ? static_cast<char>(rng() & 0xFF) : "a .\u2019"[rng() % 4]);
    }
    TokenizedText tt = Tokenize(input);
    ExpectInvariants(input, tt, /*valid_utf8=*/false);
    NormalizedText norm = Normalize(input);
    ASSERT_EQ(norm.source_offsets.size(), norm.text.size() + 1);
    ASSERT_TRUE(ValidateUtf8(norm.text).ok());
  }
}

// A spun news page written for the project in the layout content farms copy
// (tests/data/specimen): curly quotes and apostrophes, a word glued to the
// next by the spinner, initialisms, a hyphenated compound.
TEST(TextTokenizeTest, SpunArticleSpecimen) {
  std::ifstream file(UNSPIN_TEST_DATA_DIR "/specimen/spun-water-talks.txt", std::ios::binary);
  ASSERT_TRUE(file) << "tests/data/specimen/spun-water-talks.txt not found";
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string input = buffer.str();
  ASSERT_TRUE(ValidateUtf8(input).ok());
  TokenizedText tt = Tokenize(input);
  ExpectInvariants(input, tt);
  Texts texts;
  for (const Token& t : tt.tokens) texts.emplace_back(TokenText(input, t));
  auto contains = [&](std::string_view s) {
    return std::find(texts.begin(), texts.end(), s) != texts.end();
  };
  EXPECT_TRUE(contains("Okafor\u2019s"));
  EXPECT_TRUE(contains("inMarch"));
  EXPECT_TRUE(contains("U.S."));
  EXPECT_FALSE(contains("county-to-county"));
  EXPECT_TRUE(contains("county"));
  EXPECT_GT(tt.sentences.size(), 20u);
  EXPECT_GT(tt.quotes.size(), 3u);
}

}  // namespace
}  // namespace unspin::text
