// unspin channel learn: learn a spinner's dictionary from aligned pairs of
// originals and their spun copies.
#include <cstdio>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/pipeline/channel_learn.h"

namespace unspin::cli {
namespace {

constexpr uint64_t kMaxInputBytes = uint64_t{1} << 32;

struct ChannelFlags {
  std::vector<std::string> inputs;
  std::string output = "-";
  bool pairs = false;
  bool phrases = false;
  pipeline::ChannelLearnOptions options;
};

int RunLearn(ChannelFlags flags) {
  const bool one_input = flags.pairs || flags.phrases;
  if (flags.pairs && flags.phrases) {
    std::fprintf(stderr, "unspin: channel learn takes --pairs or --phrases, not both\n");
    return kExitUsage;
  }
  if (flags.inputs.size() != (one_input ? 1u : 2u)) {
    std::fprintf(stderr, "unspin: channel learn takes %s\n",
                 flags.pairs     ? "one PAIRS.jsonl with --pairs"
                 : flags.phrases ? "one LIST.tsv with --phrases"
                                 : "ORIGINALS and COPIES");
    return kExitUsage;
  }
  std::vector<pipeline::EvalPair> pairs;
  uint64_t unmatched = 0;
  if (flags.phrases) {
    Result<std::string> list = ReadFileOrStdin(flags.inputs[0], kMaxInputBytes);
    if (!list.ok()) return Fail(list.status(), Origin::kInput);
    Result<std::vector<pipeline::EvalPair>> parsed = pipeline::ReadPhraseList(*list);
    if (!parsed.ok()) return Fail(parsed.status(), Origin::kInput);
    pairs = std::move(*parsed);
    flags.options.kind = channel::PairKind::kTerms;
  } else if (flags.pairs) {
    int exit_code = kExitOk;
    std::optional<std::vector<pipeline::EvalPair>> parsed = ReadPairs(flags.inputs[0], &exit_code);
    if (!parsed) return exit_code;
    pairs = std::move(*parsed);
  } else {
    Result<std::string> originals = ReadFileOrStdin(flags.inputs[0], kMaxInputBytes);
    if (!originals.ok()) return Fail(originals.status(), Origin::kInput);
    Result<std::string> copies = ReadFileOrStdin(flags.inputs[1], kMaxInputBytes);
    if (!copies.ok()) return Fail(copies.status(), Origin::kInput);
    Result<std::vector<pipeline::EvalPair>> paired =
        pipeline::ReadDocumentPairs(*originals, *copies, &unmatched);
    if (!paired.ok()) return Fail(paired.status(), Origin::kInput);
    pairs = std::move(*paired);
  }
  Result<pipeline::ChannelLearnReport> report =
      pipeline::LearnChannel(pairs, flags.output, flags.options);
  if (!report.ok()) return Fail(report.status(), Origin::kInput);
  // The summary goes to stdout unless the table does.
  const bool to_stderr = flags.output == "-";
  const channel::LearnStats& stats = report->stats;
  auto line = [to_stderr](const char* name, uint64_t value) {
    if (to_stderr) {
      std::fprintf(stderr, "%s\t%llu\n", name, static_cast<unsigned long long>(value));
    } else {
      StandardOutput().Printf("%s\t%llu\n", name, static_cast<unsigned long long>(value));
    }
  };
  line("pairs", stats.pairs);
  line("pairs_aligned", stats.pairs_aligned);
  line("pairs_identical", stats.identical);
  line("copies_unmatched", unmatched);
  line("regions", stats.regions.regions);
  line("regions_skipped", stats.regions.regions_skipped);
  line("substitutions", stats.substitutions);
  line("distinct_substitutions", report->distinct_substitutions);
  line("rows_pruned", report->rows_pruned);
  line("table_rows", report->table_rows);
  return kExitOk;
}

}  // namespace

void RegisterChannel(CLI::App& app, Action* action) {
  auto flags = std::make_shared<ChannelFlags>();
  CLI::App* channel =
      app.add_subcommand("channel", "Learn a spinner's dictionary from aligned text pairs");
  channel->require_subcommand(1);
  CLI::App* learn = channel->add_subcommand(
      "learn",
      "Align originals with their spun copies and write the substitutions as TSV "
      "(original, spun, count) for `unspin model build --channel`");
  learn
      ->add_option("inputs", flags->inputs,
                   "ORIGINALS COPIES: one document per line, paired by line, or JSONL "
                   "{\"id\",\"text\"} paired by id; with --pairs one PAIRS.jsonl "
                   "{\"original\",\"spun\"}, with --phrases one LIST.tsv (`-` for stdin)")
      ->required();
  learn->add_flag("--pairs", flags->pairs, "the one input is a PAIRS.jsonl as `unspin eval` reads");
  learn->add_flag("--phrases", flags->phrases,
                  "the one input is a curated list of spun terms: TSV of the spun phrase and "
                  "the phrase it stands for (\"huge information<TAB>big data\"); word swaps "
                  "inside terms are learned too");
  learn
      ->add_option("--min-count", flags->options.min_count,
                   "drop substitutions seen fewer times (alignment noise)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  learn->add_option("-o,--output", flags->output, "table to write (TSV; `-`: stdout)")
      ->capture_default_str();
  learn->callback([flags, action] { *action = [flags] { return RunLearn(*flags); }; });
}

}  // namespace unspin::cli
