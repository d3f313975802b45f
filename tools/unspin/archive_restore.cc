#include "archive_restore.h"

#include <cstdio>

#include "unspin/source/find.h"

namespace unspin::cli {
namespace {

std::string Format(const char* format, auto... values) {
  char line[512];
  std::snprintf(line, sizeof line, format, values...);
  return line;
}

}  // namespace

Result<ArchiveRestoration> RestoreFromArchive(const pipeline::Checker& checker,
                                              const source::Index& index,
                                              const source::WordClasses& classes,
                                              std::string_view text) {
  source::FindOptions options;
  options.max_matches = kMaxWitnesses;
  const source::Finder finder(index, classes, options);
  UNSPIN_ASSIGN_OR_RETURN(std::vector<source::Match> matches, finder.Find(text));
  // The model's restoration: the whole answer when no document aligns, else
  // it fills in where none speaks.
  UNSPIN_ASSIGN_OR_RETURN(pipeline::CheckResult own, checker.Check(text));
  ArchiveRestoration result;
  if (matches.empty()) {
    result.notes.push_back("no source in the index; restored with the model");
    result.text = std::move(own.restored);
    return result;
  }
  std::vector<source::Replacement> fallback;
  for (const pipeline::SpunSpan& span : own.spans) {
    fallback.push_back({span.start, span.end, span.original});
  }
  std::vector<source::Witness> witnesses;
  double query_weight = 0;
  if (matches.size() >= 2) {
    const source::VoteWeights weights = source::WeighByAgreement(classes, matches);
    query_weight = weights.query;
    result.notes.push_back(
        Format("the text changed about %.0f%% of its words", 100 * weights.query_rate));
    for (size_t i = 0; i < matches.size(); ++i) {
      const source::Match& match = matches[i];
      witnesses.push_back({&match, weights.witnesses[i]});
      result.sources.push_back({std::string(match.id), match.alignment.score,
                                match.alignment.coverage, weights.witnesses[i]});
      result.notes.push_back(
          Format("restoring from %.*s (score %.2f, coverage %.2f, changed about %.0f%%)",
                 static_cast<int>(match.id.size()), match.id.data(), match.alignment.score,
                 match.alignment.coverage, 100 * weights.witness_rates[i]));
    }
  } else {
    const source::Match& match = matches.front();
    UNSPIN_ASSIGN_OR_RETURN(pipeline::CheckResult theirs, checker.Check(match.source_text));
    const bool source = theirs.spun_probability < own.spun_probability;
    result.notes.push_back(
        Format("%s %.*s (score %.2f, coverage %.2f, spun %.2f against %.2f)",
               source ? "restoring from" : "not restoring from a copy that reads as spun,",
               static_cast<int>(match.id.size()), match.id.data(), match.alignment.score,
               match.alignment.coverage, theirs.spun_probability, own.spun_probability));
    if (!source) {
      result.text = std::move(own.restored);
      return result;
    }
    witnesses.push_back({&match, 1.0});
    result.sources.push_back(
        {std::string(match.id), match.alignment.score, match.alignment.coverage, 1.0});
  }
  result.text = source::RestoreByVote(text, query_weight, witnesses, fallback);
  return result;
}

}  // namespace unspin::cli
