#include "unspin/base/json_depth.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace unspin {
namespace {

std::string Nested(size_t levels, char open, char close, std::string_view inner = "1") {
  std::string text;
  for (size_t i = 0; i < levels; ++i) text += open == '{' ? std::string("{\"a\":") : "[";
  text += inner;
  for (size_t i = 0; i < levels; ++i) text += close;
  return text;
}

TEST(JsonDepthTest, CountsArraysAndObjectsUpToTheLimit) {
  EXPECT_TRUE(CheckJsonDepth("").ok());
  EXPECT_TRUE(CheckJsonDepth("\"plain\"").ok());
  EXPECT_TRUE(CheckJsonDepth(Nested(kMaxJsonDepth, '[', ']')).ok());
  EXPECT_TRUE(CheckJsonDepth(Nested(kMaxJsonDepth, '{', '}')).ok());
  Status deep = CheckJsonDepth(Nested(kMaxJsonDepth + 1, '[', ']'));
  EXPECT_EQ(deep.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(deep.message(), "JSON nested deeper than 512 levels");
  EXPECT_FALSE(CheckJsonDepth(Nested(70000, '{', '}')).ok());
  EXPECT_FALSE(CheckJsonDepth(std::string(100000, '[')).ok());  // unbalanced too
  // Siblings do not add up: depth, not count.
  std::string wide = "[";
  for (int i = 0; i < 10000; ++i) wide += "[[1]],";
  wide += "1]";
  EXPECT_TRUE(CheckJsonDepth(wide, 3).ok());
  EXPECT_FALSE(CheckJsonDepth(wide, 2).ok());
}

TEST(JsonDepthTest, BracketsInsideStringsDoNotCount) {
  EXPECT_TRUE(CheckJsonDepth(R"({"text": "[[[[{{{{"})", 1).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"text": "quote \" [[[[ \\"})", 1).ok());
  EXPECT_FALSE(CheckJsonDepth(R"({"text": "ends in a backslash \\", "x": [[1]]})", 2).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"text": "escaped \\\" [[[["})", 1).ok());
  EXPECT_TRUE(CheckJsonDepth("{\"unterminated [[[[", 1).ok());
}

// The reference: the deepest level nlohmann's parser reports, on random
// values with strings full of brackets, quotes and backslashes.
TEST(JsonDepthTest, AgreesWithTheParserOnRandomValues) {
  std::mt19937 random(17);
  std::function<nlohmann::json(int)> make = [&](int budget) -> nlohmann::json {
    switch (budget <= 0 ? 0 : random() % 4) {
      case 0: {
        std::string text;
        for (size_t i = random() % 6; i > 0; --i) text += "[]{}\"\\ a"[random() % 8];
        return text;
      }
      case 1: {
        nlohmann::json array = nlohmann::json::array();
        for (size_t i = random() % 4; i > 0; --i) array.push_back(make(budget - 1));
        return array;
      }
      case 2: {
        nlohmann::json object = nlohmann::json::object();
        for (size_t i = random() % 4; i > 0; --i) {
          object[std::string(1, "[\"\\k"[random() % 4]) + std::to_string(i)] = make(budget - 1);
        }
        return object;
      }
      default:
        return static_cast<int>(random() % 100);
    }
  };
  for (int round = 0; round < 2000; ++round) {
    const std::string text = make(static_cast<int>(random() % 9)).dump();
    int deepest = 0;
    const nlohmann::json parsed = nlohmann::json::parse(
        text, [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
          if (event == nlohmann::json::parse_event_t::object_start ||
              event == nlohmann::json::parse_event_t::array_start) {
            deepest = std::max(deepest, depth + 1);
          }
          return true;
        });
    ASSERT_FALSE(parsed.is_discarded());
    const auto levels = static_cast<size_t>(deepest);
    EXPECT_TRUE(CheckJsonDepth(text, levels).ok()) << text;
    if (levels > 0) {
      EXPECT_FALSE(CheckJsonDepth(text, levels - 1).ok()) << text;
    }
  }
}

// The reference for any bytes, valid JSON or not: a byte-at-a-time scanner
// (a backslash in a string escapes the next byte).
size_t ReferenceDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

TEST(JsonDepthTest, AgreesWithAByteAtATimeScannerOnRandomBytes) {
  std::mt19937 random(29);
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 40, ' ');
    for (char& c : text) c = "[]{}\"\\\\a"[random() % 8];
    const size_t levels = ReferenceDepth(text);
    EXPECT_TRUE(CheckJsonDepth(text, levels).ok()) << text;
    if (levels > 0) {
      EXPECT_FALSE(CheckJsonDepth(text, levels - 1).ok()) << text;
    }
  }
}

}  // namespace
}  // namespace unspin
