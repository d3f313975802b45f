// Learning a spinner's dictionary from (original, spun copy) document pairs:
// what `unspin channel learn` does. The table it writes is TSV
// (original<TAB>spun<TAB>count, channel/channel.h) that `unspin model build
// --channel` turns into the model's CHAN section.
//
//   UNSPIN_ASSIGN_OR_RETURN(std::vector<pipeline::EvalPair> pairs,
//                           pipeline::ReadDocumentPairs(originals_text, copies_text, &unmatched));
//   UNSPIN_ASSIGN_OR_RETURN(pipeline::ChannelLearnReport report,
//                           pipeline::LearnChannel(pairs, "table.tsv"));
#ifndef UNSPIN_PIPELINE_CHANNEL_LEARN_H_
#define UNSPIN_PIPELINE_CHANNEL_LEARN_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/channel/channel.h"
#include "unspin/pipeline/eval.h"

namespace unspin::pipeline {

// Pairs the documents of two files. When the first non-blank line of each
// parses as a JSON object with a string "text", both are JSONL: one
// {"id": string|number, "text": string} object per non-blank line, paired by
// id (copies whose id has no original are counted in *unmatched, which may be
// null). Otherwise both are plain text with one document per line, paired by
// line number (lines that are blank in both are skipped). Errors:
// InvalidArgument naming the file ("originals" or "copies") and the 1-based
// line: invalid UTF-8, a bad JSON line, a duplicate original id, different
// line counts.
Result<std::vector<EvalPair>> ReadDocumentPairs(std::string_view originals, std::string_view copies,
                                                uint64_t* unmatched);

// Reads a curated list of spun terms (tortured phrases) as pairs: TSV, one
// term per line, the spun phrase in the first field and the phrase it stands
// for in the second (further fields are ignored). Blank lines and lines
// starting with '#' are skipped, and so is a first line whose second field is
// "expected" or "original" (any case): a header. Text in parentheses is a
// note ("back propagation (BP)") and is dropped. Errors: InvalidArgument
// naming the 1-based line: invalid UTF-8, fewer than two fields, an empty
// phrase.
Result<std::vector<EvalPair>> ReadPhraseList(std::string_view tsv);

struct ChannelLearnOptions {
  // Substitutions seen fewer times are dropped (ChannelTableBuilder::Prune).
  uint64_t min_count = 1;
  // kTerms for pairs from ReadPhraseList: word swaps are learned from
  // multi-word terms too (channel::ExtractSubstitutions).
  channel::PairKind kind = channel::PairKind::kText;
};

struct ChannelLearnReport {
  channel::LearnStats stats;
  uint64_t rows_pruned = 0;             // rows dropped for min_count
  uint64_t distinct_substitutions = 0;  // table rows whose spun phrase differs from the original
  uint64_t table_rows = 0;              // including the unchanged-occurrence rows
};

// Aligns every pair, learns the table and writes it as TSV to `out_path`
// atomically ("-": standard output). Errors: IOError when writing fails.
Result<ChannelLearnReport> LearnChannel(std::span<const EvalPair> pairs,
                                        const std::string& out_path,
                                        const ChannelLearnOptions& options = {});

// Writes a table's TSV to `out_path` atomically ("-": standard output).
// Errors: IOError when writing fails.
Status WriteChannelTable(std::string_view tsv, const std::string& out_path);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_CHANNEL_LEARN_H_
