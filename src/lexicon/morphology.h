// English inflection rules and the irregular forms the rules cannot produce.
// Used by the lexicon builder to precompute the morphology tables; nothing
// here runs at lookup time.
#ifndef UNSPIN_LEXICON_MORPHOLOGY_H_
#define UNSPIN_LEXICON_MORPHOLOGY_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/lexicon/lexicon.h"

namespace unspin::lexicon::internal {

// The standard English spelling of `lemma` inflected as `inflection`:
// -s/-es/-ies, -ed/-ied with final -e dropped and the final consonant of a
// one-syllable consonant-vowel-consonant word doubled (stop -> stopped),
// -ing with -ie -> -ying, -er/-est. `lemma` is lower-case a-z. kBase and
// slots that do not apply to `pos` return `lemma` unchanged.
std::string RegularForm(std::string_view lemma, PartOfSpeech pos, Inflection inflection);

// Lower-case ASCII letters only, at least two of them: the words regular rules apply to.
bool IsPlainWord(std::string_view word);

// Vowel groups, not counting a silent final -e.
int CountSyllables(std::string_view word);

// Whether an adjective compares with -er/-est rather than more/most: one
// syllable, or two ending in -y, -le, -er, -ow (happy -> happier, simple ->
// simpler, narrow -> narrower).
bool TakesSuffixComparison(std::string_view adjective);

// The forms of one inflectional slot of a lemma.
struct SlotForms {
  Inflection inflection;
  std::string preferred;            // what Inflect returns; empty: no Inflect entry
  std::vector<std::string> others;  // further spellings that lemmatise to this slot
  bool from_rule = false;           // `preferred` comes from the regular rules alone
};

// Computes the inflected forms of `lemma` (a single lower-case word) as `pos`.
// `exceptions` are the forms the WordNet exception list maps to this lemma
// and part of speech (verb.exc "went go" -> "went" for go). `regular` says
// whether regular rules may add forms (false for proper names and words with
// digits or punctuation). Preference, per slot: the built-in table of
// irregular verbs (US spellings, also through prefixes: overtake -> overtook
// when the exception list confirms it), then an exception form that is a
// spelling variant of the regular form (abetted, panicked, dying; not British
// -ll- doubling: traveled), then other exception forms for nouns and
// adjectives (children, better), then the regular rule (adverbs: one-syllable
// ones only; nouns ending -es/-ics/-news are invariant: series -> series).
// Replaces *out.
void InflectLemma(std::string_view lemma, PartOfSpeech pos, std::span<const std::string> exceptions,
                  bool regular, std::vector<SlotForms>* out);

}  // namespace unspin::lexicon::internal

#endif  // UNSPIN_LEXICON_MORPHOLOGY_H_
