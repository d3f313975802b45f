// ARPA back-off language model text (Doug Paul's format, as written by SRILM,
// IRSTLM and KenLM): the interchange format of unspin's language models.
//
//   UNSPIN_RETURN_IF_ERROR(WriteArpa(lm, vocabulary, "model.arpa"));
//
//   UNSPIN_ASSIGN_OR_RETURN(std::string text, ReadFileOrStdin("model.arpa"));
//   VocabularyBuilder vocabulary;
//   UNSPIN_ASSIGN_OR_RETURN(BackoffLm lm, ReadArpa(text, &vocabulary));
//   NgramModelBuilder builder(lm.order);
//   lm.AddTo(&builder);
//
// The text: optional lines before "\data\"; "\data\" then one "ngram N=COUNT"
// line per order 1..order; for each order a "\N-grams:" section of exactly
// COUNT lines "log10_prob<TAB>w_1 .. w_N[<TAB>log10_backoff]" (fields may be
// separated by any spaces or tabs; the back-off only below the top order,
// missing = 0); then "\end\". Blank lines between sections are ignored.
#ifndef UNSPIN_LM_ARPA_H_
#define UNSPIN_LM_ARPA_H_

#include <string>
#include <string_view>

#include "unspin/base/status.h"
#include "unspin/lm/kneser_ney.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lm {

// Appends `lm` as ARPA text to *out, words spelled by `vocabulary` (every id
// in `lm` must be below vocabulary.size(), else aborts). Floats are written
// in the shortest form that reads back to the same value, so a round trip is
// exact. N-grams appear in the order of lm.ngrams.
void AppendArpa(const BackoffLm& lm, const VocabularyBuilder& vocabulary, std::string* out);

// Writes the same text to `path` through AtomicFileWriter (path.tmp, then
// rename). Errors: IOError.
Status WriteArpa(const BackoffLm& lm, const VocabularyBuilder& vocabulary, const std::string& path);

// Parses ARPA text; every word is interned in *vocabulary (<unk>, <s>, </s>
// map to their reserved ids). The result holds the n-grams in file order.
// Errors: Corruption naming the line number for anything malformed (missing
// \data\ or \end\, a bad count line, an order outside 1..kMaxOrder, a
// section with more or fewer lines than announced, a line with the wrong
// number of fields, an unparsable number). N-grams whose prefix or suffix is
// missing are accepted: NgramModelBuilder closes the set.
Result<BackoffLm> ReadArpa(std::string_view text, VocabularyBuilder* vocabulary);

}  // namespace unspin::lm

#endif  // UNSPIN_LM_ARPA_H_
