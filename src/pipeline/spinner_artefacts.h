// What a spinner leaves behind besides its synonyms, read off single words:
// fillers it inserts after auxiliaries, articles it leaves disagreeing with
// the swapped word, names it spells out where the document abbreviates them,
// words it glues together. Internal to the checker (src/pipeline/check.cc).
//
//   if (IsAuxiliary(previous) && IsEmphasizer(word)) { /* "had actually dropped" */ }
//   if (ArticleDisagrees("an", "problem")) { /* the spinner swapped "issue" */ }
#ifndef UNSPIN_PIPELINE_SPINNER_ARTEFACTS_H_
#define UNSPIN_PIPELINE_SPINNER_ARTEFACTS_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace unspin::pipeline {

bool IsAsciiLower(char c);
bool IsAsciiUpper(char c);

// "am", "is", "had", "will", "'s" ...
bool IsAuxiliary(std::string_view word);

// Emphasizers (Quirk et al., A Comprehensive Grammar of the English Language,
// 8.99-8.104): adverbs that add force to what is said but nothing to what it
// says, so a spinner can insert one after an auxiliary without changing the
// meaning ("had actually dropped"). Other adverbs ("also", "seriously",
// "quickly") carry content: a writer put them there.
bool IsEmphasizer(std::string_view word);

// Spelling-based guess of whether "an" (true) or "a" (false) goes before `word`.
bool TakesAn(std::string_view word);

// Whether `article` ("a" or "an", any case) before the lower-case `word` is
// certainly wrong by spelling. Only the sure cases count: a word that begins
// with h, u, x or y, or with a vowel that can sound like a consonant ("a
// one-time", "a European", "a ewe"), may take either article.
bool ArticleDisagrees(std::string_view article, std::string_view word);

// "States": a capital, then lower-case letters only.
bool IsTitleCaseWord(std::string_view bytes);

// The letters of a dotted initialism, "U.S." -> "US", else empty: two to
// four dotted capitals. (Undotted ones, "IBM", are mostly companies a writer
// names in full before abbreviating.)
std::string InitialismLetters(std::string_view bytes);

// "inFebruary" -> 2 (the offset of the capital), else 0: a lower-case word
// of two or more letters glued to a capitalised one.
size_t GlueOffset(std::string_view bytes);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_SPINNER_ARTEFACTS_H_
