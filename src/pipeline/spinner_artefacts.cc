#include "spinner_artefacts.h"

#include <algorithm>
#include <span>

namespace unspin::pipeline {

namespace {

bool IsOneOf(std::string_view word, std::span<const std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

}  // namespace

bool IsAuxiliary(std::string_view word) {
  static constexpr std::string_view kAuxiliaries[] = {
      "am",   "is",    "are", "was",   "were", "be",   "been",  "being", "has",
      "have", "had",   "do",  "does",  "did",  "will", "would", "shall", "should",
      "can",  "could", "may", "might", "must", "'s",   "'re",   "'ve",   "'d"};
  return IsOneOf(word, kAuxiliaries);
}

bool IsEmphasizer(std::string_view word) {
  static constexpr std::string_view kEmphasizers[] = {
      "actually",  "certainly", "clearly",   "definitely",  "indeed",    "obviously",
      "plainly",   "really",    "surely",    "truly",       "honestly",  "frankly",
      "literally", "simply",    "genuinely", "undoubtedly", "evidently", "basically"};
  return IsOneOf(word, kEmphasizers);
}

bool TakesAn(std::string_view word) {
  return !word.empty() && std::string_view("aeiou").find(word[0]) != std::string_view::npos;
}

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool ArticleDisagrees(std::string_view article, std::string_view word) {
  const bool an = article.size() == 2 && (article[0] | 0x20) == 'a' && (article[1] | 0x20) == 'n';
  if (!an && (article.size() != 1 || (article[0] | 0x20) != 'a')) return false;
  if (word.size() < 2 || !std::ranges::all_of(word, IsAsciiLower)) return false;
  if (an) return std::string_view("aehiouxy").find(word[0]) == std::string_view::npos;
  if (std::string_view("aeio").find(word[0]) == std::string_view::npos) return false;
  return !word.starts_with("one") && !word.starts_with("once") && !word.starts_with("eu") &&
         !word.starts_with("ewe");
}

bool IsTitleCaseWord(std::string_view bytes) {
  return bytes.size() >= 2 && IsAsciiUpper(bytes[0]) &&
         std::all_of(bytes.begin() + 1, bytes.end(), IsAsciiLower);
}

std::string InitialismLetters(std::string_view bytes) {
  if (bytes.size() < 4 || bytes.size() > 8 || bytes.size() % 2 != 0) return {};
  std::string letters;
  for (size_t i = 0; i < bytes.size(); i += 2) {
    if (!IsAsciiUpper(bytes[i]) || bytes[i + 1] != '.') return {};
    letters.push_back(bytes[i]);
  }
  return letters;
}

size_t GlueOffset(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && IsAsciiLower(bytes[i])) ++i;
  if (i < 2 || i + 2 > bytes.size() || !IsAsciiUpper(bytes[i])) return 0;
  for (size_t j = i + 1; j < bytes.size(); ++j) {
    if (!IsAsciiLower(bytes[j])) return 0;
  }
  return i;
}

}  // namespace unspin::pipeline
