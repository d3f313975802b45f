// Imports a CMU Sphinx (sphinxbase >= 5prealpha) binary trie language model,
// e.g. pocketsphinx's en-us.lm.bin, into an NgramModelBuilder. Our own reader
// of the format that sphinxbase's lm_trie.c writes (layout in
// docs/formats/lm.md, "Sphinx trie input"); it does not use sphinxbase.
//
//   VocabularyBuilder vocab;
//   UNSPIN_ASSIGN_OR_RETURN(NgramModelBuilder builder,
//                           ReadSphinxTrieLm("/usr/share/pocketsphinx/model/en-us/en-us.lm.bin",
//                                            &vocab));
//   std::string section = builder.Serialize();
#ifndef UNSPIN_LM_SPHINX_READER_H_
#define UNSPIN_LM_SPHINX_READER_H_

#include <string>

#include "unspin/base/status.h"
#include "unspin/lm/ngram_model.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lm {

// Reads the sphinxbase binary trie LM at `path` (header "Trie Language
// Model"). Words are lower-cased (ASCII) and interned into *vocab; "<s>" and
// "</s>" map to kSentenceBegin / kSentenceEnd, "<UNK>" / "<unk>" to
// kUnknownWord. Returns a builder of the file's order holding every n-gram
// stored in the trie (including the trie's filler n-grams), with weights
// converted from sphinxbase's log base 1.0001 to log10 (quantised values are
// taken as stored, so scores match sphinxbase's). Words that coincide after
// lower-casing share one id; the later n-gram wins.
// Errors: NotFound (no file), IOError, Corruption (bad header, inconsistent
// trie, truncation) naming the byte offset.
Result<NgramModelBuilder> ReadSphinxTrieLm(const std::string& path, VocabularyBuilder* vocab);

}  // namespace unspin::lm

#endif  // UNSPIN_LM_SPHINX_READER_H_
