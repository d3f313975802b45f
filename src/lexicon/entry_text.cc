#include "lexicon/entry_text.h"

namespace unspin::lexicon::internal {
namespace {

bool IsSeparator(char c) { return c == ' ' || c == '\t' || c == '_' || c == '\r'; }

bool IsPunctuationWord(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x80) return false;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return false;
  return c != '\'' && c != '.' && !IsSeparator(c) && u > 0x20 && u != 0x7f;
}

}  // namespace

void SplitEntryText(std::string_view text, std::vector<std::string>* words) {
  words->clear();
  std::string current;
  auto flush = [&] {
    if (!current.empty()) words->push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    unsigned char u = static_cast<unsigned char>(c);
    if (IsSeparator(c) || u < 0x20 || u == 0x7f) {
      flush();
    } else if (IsPunctuationWord(c)) {
      flush();
      words->emplace_back(1, c);
    } else if (c >= 'A' && c <= 'Z') {
      current += static_cast<char>(c - 'A' + 'a');
    } else if (u == 0xC3 && i + 1 < text.size()) {
      // Latin-1 capitals U+00C0..U+00DE (except U+00D7) are C3 80..C3 9E.
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) next = static_cast<unsigned char>(next + 0x20);
      current += c;
      current += static_cast<char>(next);
      ++i;
    } else {
      current += c;
    }
  }
  flush();
}

bool HasUpperCase(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') return true;
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < text.size()) {
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) return true;
    }
  }
  return false;
}

std::string Latin1ToUtf8(std::string_view latin1) {
  std::string out;
  out.reserve(latin1.size() + latin1.size() / 16);
  for (char c : latin1) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (u >> 6));
      out += static_cast<char>(0x80 | (u & 0x3F));
    }
  }
  return out;
}

}  // namespace unspin::lexicon::internal
