// How thesaurus headwords and terms become entry words.
#ifndef UNSPIN_LEXICON_ENTRY_TEXT_H_
#define UNSPIN_LEXICON_ENTRY_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace unspin::lexicon::internal {

// Splits `text` into lower-cased words the way the text tokenizer splits
// running text: spaces, tabs and underscores separate words; every ASCII
// punctuation character except the apostrophe and the full stop is a word of
// its own ("military-to-military" -> military - to - military); "o'clock" and
// "st." stay whole. Lower-cases ASCII and the Latin-1 capitals of UTF-8.
// Replaces *words.
void SplitEntryText(std::string_view text, std::vector<std::string>* words);

// True if `text` has an upper-case letter (a proper name in the thesauri).
bool HasUpperCase(std::string_view text);

// Converts ISO-8859-1 bytes to UTF-8.
std::string Latin1ToUtf8(std::string_view latin1);

}  // namespace unspin::lexicon::internal

#endif  // UNSPIN_LEXICON_ENTRY_TEXT_H_
