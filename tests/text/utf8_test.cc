#include "unspin/text/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

namespace unspin::text {
namespace {

// Slow reference (Unicode 15.0 table 3-7, one explicit row at a time):
// returns the offset of the first ill-formed sequence, or npos.
size_t ReferenceFirstError(std::string_view s) {
  auto byte = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(s[k])); };
  size_t i = 0;
  while (i < s.size()) {
    const unsigned b = byte(i);
    unsigned need = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b <= 0x7F) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b == 0xE0) {
      need = 2, lo = 0xA0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      need = 2;
    } else if (b == 0xED) {
      need = 2, hi = 0x9F;
    } else if (b == 0xF0) {
      need = 3, lo = 0x90;
    } else if (b >= 0xF1 && b <= 0xF3) {
      need = 3;
    } else if (b == 0xF4) {
      need = 3, hi = 0x8F;
    } else {
      return i;
    }
    for (unsigned k = 1; k <= need; ++k) {
      if (i + k >= s.size()) return i;
      const unsigned low = k == 1 ? lo : 0x80, high = k == 1 ? hi : 0xBF;
      if (byte(i + k) < low || byte(i + k) > high) return i;
    }
    i += need + 1;
  }
  return std::string::npos;
}

size_t ErrorOffset(const Status& status) {
  const std::string& message = status.message();
  const std::string prefix = "invalid UTF-8 at byte ";
  EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
  return std::stoull(message.substr(prefix.size()));
}

TEST(TextUtf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(ValidateUtf8("").ok());
  EXPECT_TRUE(ValidateUtf8("plain ASCII, 8 bytes at a time and more").ok());
  EXPECT_TRUE(ValidateUtf8(std::string("nul\0inside", 10)).ok());
  EXPECT_TRUE(ValidateUtf8("Blinken\u2019s \u201Cquote\u201D \u2013 caf\u00E9 \u4E2D\u6587").ok());
  EXPECT_TRUE(ValidateUtf8("\U0001F600 \U0010FFFF \uD7FF \uE000 \uFFFD").ok());
  EXPECT_TRUE(ValidateUtf8("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80").ok());
}

struct BadCase {
  const char* name;
  std::string bytes;  // appended after "abc"
  const char* reason;
};

TEST(TextUtf8Test, RejectsEachInvalidClassAtTheRightOffset) {
  const BadCase cases[] = {
      {"stray continuation", "\x80z", "unexpected continuation byte"},
      {"continuation after complete char", "\xC3\xA9\xA9", "unexpected continuation byte"},
      {"overlong 2-byte C0", "\xC0\xAF", "overlong encoding"},
      {"overlong 2-byte C1", "\xC1\xBF", "overlong encoding"},
      {"overlong 3-byte", "\xE0\x80\xAF", "overlong encoding"},
      {"overlong 3-byte max", "\xE0\x9F\xBF", "overlong encoding"},
      {"overlong 4-byte", "\xF0\x80\x80\xAF", "overlong encoding"},
      {"overlong 4-byte max", "\xF0\x8F\xBF\xBF", "overlong encoding"},
      {"high surrogate", "\xED\xA0\x80", "surrogate code point"},
      {"low surrogate", "\xED\xBF\xBF", "surrogate code point"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", "above U+10FFFF"},
      {"F5 lead", "\xF5\x80\x80\x80", "above U+10FFFF"},
      {"FF", "\xFF", "never valid"},
      {"FE", "\xFE\xFE", "never valid"},
      {"truncated 2-byte at end", "\xC3", "truncated sequence"},
      {"truncated 3-byte at end", "\xE2\x82", "truncated sequence"},
      {"truncated 4-byte at end", "\xF0\x9F\x98", "truncated sequence"},
      {"truncated by ASCII", "\xE2\x82 x", "truncated sequence"},
      {"truncated by lead byte", "\xC3\xC3\xA9", "truncated sequence"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string input = "abc" + c.bytes;
    Status status = ValidateUtf8(input);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(c.reason), std::string::npos) << status.message();
    size_t expected = std::string(c.name) == "continuation after complete char" ? 5 : 3;
    EXPECT_EQ(ErrorOffset(status), expected) << status.message();
  }
}

TEST(TextUtf8Test, ReportsOffsetAfterLongAsciiRuns) {
  for (size_t position = 0; position < 100; ++position) {
    std::string input(120, 'a');
    input[position] = '\x80';
    Status status = ValidateUtf8(input);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(ErrorOffset(status), position);
  }
  std::string long_input(1 << 20, 'x');
  long_input += "\xE2\x80";  // truncated at the very end
  EXPECT_EQ(ErrorOffset(ValidateUtf8(long_input)), size_t{1} << 20);
}

TEST(TextUtf8Test, ReferenceAgreesOnHandPickedCases) {
  EXPECT_EQ(ReferenceFirstError("abc"), std::string::npos);
  EXPECT_EQ(ReferenceFirstError("ab\xE2\x82"), 2u);
  EXPECT_EQ(ReferenceFirstError("\xED\xA0\x80"), 0u);
  EXPECT_EQ(ReferenceFirstError("x\xF4\x8F\xBF\xBF\xF4\x90\x80\x80"), 5u);
}

// Random byte strings drawn mostly from bytes that matter to UTF-8, so that
// both valid and invalid strings are common.
TEST(TextUtf8Test, FastValidatorMatchesSlowReferenceOnRandomBytes) {
  std::mt19937 rng(12345);
  const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                       0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                       0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  const std::string valid_chars[] = {"a",
                                     " ",
                                     "\xC3\xA9",
                                     "\xE2\x80\x99",
                                     "\xF0\x9F\x98\x80",
                                     "\xF4\x8F\xBF\xBF",
                                     "\xED\x9F\xBF",
                                     "\xE0\xA0\x80"};
  int valid_count = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int length = static_cast<int>(rng() % 40);
    for (int k = 0; k < length; ++k) {
      const auto r = rng() % 10;
      if (r < 5) {
        s += valid_chars[rng() % std::size(valid_chars)];
      } else if (r < 8) {
        s.append(static_cast<size_t>(rng() % 12), 'x');
      } else if (r < 9) {
        s.push_back(static_cast<char>(interesting[rng() % std::size(interesting)]));
      } else {
        s.push_back(static_cast<char>(rng() & 0xFF));
      }
    }
    const size_t expected = ReferenceFirstError(s);
    Status status = ValidateUtf8(s);
    if (expected == std::string::npos) {
      ++valid_count;
      EXPECT_TRUE(status.ok()) << status.message();
    } else {
      ASSERT_FALSE(status.ok());
      EXPECT_EQ(ErrorOffset(status), expected);
    }
  }
  EXPECT_GT(valid_count, 1000);
  EXPECT_LT(valid_count, 19000);
}

}  // namespace
}  // namespace unspin::text
