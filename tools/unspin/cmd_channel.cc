// unspin channel learn: learn a spinner's dictionary from aligned pairs of
// originals and their spun copies, or (--unsupervised) from spun texts alone.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli.h"
#include "documents.h"
#include "unspin/base/file.h"
#include "unspin/pipeline/channel_learn.h"
#include "unspin/pipeline/channel_unsupervised.h"

namespace unspin::cli {
namespace {

constexpr uint64_t kMaxInputBytes = uint64_t{1} << 32;

struct ChannelFlags {
  std::vector<std::string> inputs;
  std::string output = "-";
  bool pairs = false;
  bool phrases = false;
  bool unsupervised = false;
  bool lines = false;
  std::string model;
  std::string format = "auto";
  uint64_t min_count = 0;  // 0: the default of the kind of learning
  pipeline::ChannelLearnOptions options;
};

// --lines: every line of `path` ("-": standard input) is a text, read one at
// a time (a batch of any length in bounded memory).
Status AddLines(const std::string& path, pipeline::UnsupervisedChannelLearner* learner,
                uint64_t* bad_lines) {
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return NotFoundError(path + ": cannot open the input");
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string line;
  uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (Status added = learner->AddText(line); !added.ok()) {
      std::fprintf(stderr, "unspin: %s:%llu: %s (skipped)\n", path.c_str(),
                   static_cast<unsigned long long>(number), added.message().c_str());
      ++*bad_lines;
    }
  }
  if (in.bad()) return IOError(path + ": read error");
  return Status::Ok();
}

// channel learn --unsupervised: the spinner's swaps from its texts alone.
int RunLearnUnsupervised(const ChannelFlags& flags) {
  if (flags.pairs || flags.phrases) {
    std::fprintf(stderr, "unspin: channel learn --unsupervised reads spun texts, not --%s\n",
                 flags.pairs ? "pairs" : "phrases");
    return kExitUsage;
  }
  if (flags.lines && flags.format != "auto" && flags.format != "text") {
    std::fprintf(stderr, "unspin: --lines reads lines of text, not --format %s\n",
                 flags.format.c_str());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::unique_ptr<model::Model> model = LoadModel(flags.model, &exit_code);
  if (!model) return exit_code;
  pipeline::UnsupervisedChannelOptions options;
  if (flags.min_count > 0) options.min_count = flags.min_count;
  pipeline::UnsupervisedChannelLearner learner(*model, options);
  uint64_t skipped = 0;
  for (const std::string& input : flags.inputs) {
    Status read = Status::Ok();
    if (flags.lines) {
      read = AddLines(input, &learner, &skipped);
    } else {
      ReadCounts counts;
      read = ForEachRecord(
          input, flags.format,
          [&](Record& record) -> Status {
            if (!record.doc.error.ok()) return ReportSkipped(record, record.doc.error, &counts);
            Result<std::string> text = ArticleText(record.doc);
            if (!text.ok()) return ReportSkipped(record, text.status(), &counts);
            if (Status added = learner.AddText(*text); !added.ok()) {
              return ReportSkipped(record, added, &counts);
            }
            return Status::Ok();
          },
          &counts);
      skipped += counts.rejected;
    }
    if (!read.ok()) return Fail(read, Origin::kInput);
  }
  Result<pipeline::UnsupervisedChannel> learned = learner.Finish();
  if (!learned.ok()) return Fail(learned.status(), Origin::kInput);
  if (Status written = pipeline::WriteChannelTable(learned->ToTsv(), flags.output); !written.ok()) {
    return Fail(written, Origin::kInput);
  }
  std::fprintf(stderr,
               "unspin: %llu texts (%llu duplicates, %llu skipped), %llu words, %llu proposals: "
               "%zu substitutions learned\n",
               static_cast<unsigned long long>(learned->texts),
               static_cast<unsigned long long>(learned->duplicates),
               static_cast<unsigned long long>(skipped),
               static_cast<unsigned long long>(learned->words),
               static_cast<unsigned long long>(learned->proposals), learned->substitutions.size());
  return skipped > 0 ? kExitBadInput : kExitOk;
}

int RunLearn(ChannelFlags flags) {
  if (OutputIsAnInput("-o", flags.output, flags.inputs)) return kExitUsage;
  if (flags.unsupervised) return RunLearnUnsupervised(flags);
  if (flags.min_count > 0) flags.options.min_count = flags.min_count;
  if (flags.lines || !flags.model.empty() || flags.format != "auto") {
    std::fprintf(stderr,
                 "unspin: channel learn takes --lines, --model and --format with --unsupervised\n");
    return kExitUsage;
  }
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
  CLI::App* channel = app.add_subcommand("channel",
                                         "Learn a spinner's dictionary from aligned text pairs, or "
                                         "from its spun texts alone");
  channel->require_subcommand(1);
  CLI::App* learn = channel->add_subcommand(
      "learn",
      "Align originals with their spun copies (or, --unsupervised, read spun texts alone) and "
      "write the substitutions as TSV (original, spun, count) for `unspin model build "
      "--channel` and `unspin check --channel`");
  learn
      ->add_option("inputs", flags->inputs,
                   "ORIGINALS COPIES: one document per line, paired by line, or JSONL "
                   "{\"id\",\"text\"} paired by id; with --pairs one PAIRS.jsonl "
                   "{\"original\",\"spun\"}, with --phrases one LIST.tsv, with --unsupervised "
                   "spun texts (any number of files; `-` for stdin)")
      ->required();
  learn->add_flag("--unsupervised", flags->unsupervised,
                  "learn from spun texts alone, no originals: the swaps the batch over-uses "
                  "where the language model prefers the word they replaced "
                  "(docs/channel-unsupervised.md)");
  learn->add_flag("--lines", flags->lines,
                  "with --unsupervised: each input line is a text (read line by line)");
  learn->add_option("--model", flags->model,
                    "with --unsupervised: model file (default: $UNSPIN_MODEL or the built-in)");
  AddInputFormatOption(learn, &flags->format);
  learn->add_flag("--pairs", flags->pairs, "the one input is a PAIRS.jsonl as `unspin eval` reads");
  learn->add_flag("--phrases", flags->phrases,
                  "the one input is a curated list of spun terms: TSV of the spun phrase and "
                  "the phrase it stands for (\"huge information<TAB>big data\"); word swaps "
                  "inside terms are learned too");
  learn
      ->add_option("--min-count", flags->min_count,
                   "drop substitutions seen fewer times (alignment noise); with --unsupervised "
                   "the occurrences where the context preferred the original (default 1; "
                   "3 with --unsupervised)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000000}));
  learn->add_option("-o,--output", flags->output, "table to write (TSV; `-`: stdout)")
      ->capture_default_str();
  learn->callback([flags, action] { *action = [flags] { return RunLearn(*flags); }; });
}

}  // namespace unspin::cli
