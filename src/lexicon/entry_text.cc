#include "lexicon/entry_text.h"

#include <algorithm>

#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"

namespace unspin::lexicon::internal {

void SplitEntryText(std::string_view text, std::vector<std::string>* words) {
  words->clear();
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '_', ' ');
  text::TokenizedText tokens = text::Tokenize(spaced);
  for (const text::Token& token : tokens.tokens) {
    std::string key;
    text::AppendLookupKey(std::string_view(spaced).substr(token.begin, token.end - token.begin),
                          &key);
    if (!key.empty()) words->push_back(std::move(key));
  }
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
