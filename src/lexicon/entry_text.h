// How thesaurus headwords and terms become entry words.
#ifndef UNSPIN_LEXICON_ENTRY_TEXT_H_
#define UNSPIN_LEXICON_ENTRY_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace unspin::lexicon::internal {

// Splits `text` into the lookup keys of its tokens, exactly as running text is
// tokenised (text::Tokenize, then text::AppendLookupKey: lower-cased, NFKC),
// with underscores (WordNet's word separator) read as spaces:
// "military-to-military" -> military - to - military; "o'clock", "o.k." stay
// whole; "St. Albans" -> st . albans. Replaces *words.
void SplitEntryText(std::string_view text, std::vector<std::string>* words);

// True if `text` has an upper-case letter (a proper name in the thesauri).
bool HasUpperCase(std::string_view text);

// Converts ISO-8859-1 bytes to UTF-8.
std::string Latin1ToUtf8(std::string_view latin1);

}  // namespace unspin::lexicon::internal

#endif  // UNSPIN_LEXICON_ENTRY_TEXT_H_
