// unspin eval: run the checker on (original, spun) pairs and report detection
// and restoration metrics (docs/evaluation.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/pipeline/check.h"
#include "unspin/pipeline/eval.h"

namespace unspin::cli {
namespace {

struct EvalFlags {
  std::string input = "-";
  std::string model;
  std::string details;
  bool json = false;
  int threads = 1;
  pipeline::CheckOptions options;
};

struct Checked {
  Result<pipeline::CheckResult> on_original = InternalError("not checked");
  Result<pipeline::CheckResult> on_spun = InternalError("not checked");
};

int RunEval(const EvalFlags& flags) {
  if (OutputIsAnInput("--details", flags.details, {flags.input})) return kExitUsage;
  int exit_code = kExitOk;
  std::optional<std::vector<pipeline::EvalPair>> pairs = ReadPairs(flags.input, &exit_code);
  if (!pairs) return exit_code;
  std::unique_ptr<model::Model> model = LoadModel(flags.model, &exit_code);
  if (!model) return exit_code;
  pipeline::Checker checker(*model, flags.options);

  auto start = std::chrono::steady_clock::now();
  std::vector<Checked> checked(pairs->size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next++; k < pairs->size(); k = next++) {
      checked[k].on_original = checker.Check((*pairs)[k].original);
      checked[k].on_spun = checker.Check((*pairs)[k].spun);
    }
  };
  size_t threads = std::clamp<size_t>(static_cast<size_t>(flags.threads), 1, pairs->size() + 1);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  pipeline::EvalAccumulator accumulator;
  std::string details;
  for (size_t k = 0; k < pairs->size(); ++k) {
    for (const auto* result : {&checked[k].on_original, &checked[k].on_spun}) {
      if (!result->ok()) {
        return Fail(result->status().WithContext("pair " + (*pairs)[k].id), Origin::kInput);
      }
    }
    pipeline::PairOutcome outcome =
        accumulator.Add((*pairs)[k], *checked[k].on_original, *checked[k].on_spun);
    if (!flags.details.empty()) details += pipeline::PairOutcomeToJson(outcome) + '\n';
  }
  if (!flags.details.empty()) {
    AtomicFileWriter writer;
    Status status = writer.Open(flags.details);
    if (status.ok()) status = writer.Append(details);
    if (status.ok()) status = writer.Commit();
    if (!status.ok()) return Fail(status, Origin::kInput);
  }
  pipeline::EvalReport report = accumulator.Report();
  double documents = 2.0 * static_cast<double>(pairs->size());
  double docs_per_second = seconds > 0 ? documents / seconds : 0.0;

  CheckedOutput& out = StandardOutput();
  if (flags.json) {
    std::string json = pipeline::EvalReportToJson(report);
    char timing[96];
    std::snprintf(timing, sizeof(timing), ",\"seconds\":%.4f,\"docs_per_second\":%.1f}", seconds,
                  docs_per_second);
    json.pop_back();
    out.Write(json + timing + '\n');
  } else {
    out.Printf("pairs\t%llu\n", static_cast<unsigned long long>(report.pairs));
    out.Printf("auc\t%.4f\n", report.auc);
    out.Printf("f1\t%.4f\t(precision %.4f, recall %.4f at spun probability >= 0.5)\n", report.f1,
               report.precision, report.recall);
    out.Printf("error_reduction\t%.4f\t(word edits %llu before, %llu after restoring)\n",
               report.error_reduction, static_cast<unsigned long long>(report.edits_before),
               static_cast<unsigned long long>(report.edits_after));
    out.Printf("collateral\t%.4f\t(%llu of %llu words the spinner left alone)\n", report.collateral,
               static_cast<unsigned long long>(report.collateral_changes),
               static_cast<unsigned long long>(report.untouched_words));
    out.Printf("false_changes\t%.4f\t(%llu of %llu words of the originals)\n", report.false_changes,
               static_cast<unsigned long long>(report.original_words_changed),
               static_cast<unsigned long long>(report.original_words));
    out.Printf("exact_restoration\t%.4f\t(%llu of %llu spans the spinner changed)\n",
               report.exact_restoration, static_cast<unsigned long long>(report.spans_restored),
               static_cast<unsigned long long>(report.spinner_spans));
    out.Printf("spans_reported\t%llu\t(on spun texts; %llu on originals)\n",
               static_cast<unsigned long long>(report.spans_reported_spun),
               static_cast<unsigned long long>(report.spans_reported_original));
    out.Printf("docs_per_second\t%.1f\t(%.0f documents in %.2f s, %d thread%s)\n", docs_per_second,
               documents, seconds, flags.threads, flags.threads == 1 ? "" : "s");
  }
  return kExitOk;
}

}  // namespace

void RegisterEval(CLI::App& app, Action* action) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* eval = app.add_subcommand(
      "eval", "Measure check on (original, spun) pairs: AUC, F1, error reduction, collateral");
  eval->add_option("pairs", flags->input,
                   "JSONL file, one {\"original\": ..., \"spun\": ...} object per line, or -")
      ->capture_default_str();
  eval->add_option("--model", flags->model, "model file (default: $UNSPIN_MODEL or the built-in)");
  eval->add_flag("--json", flags->json, "print one JSON object with every metric and count");
  AddCheckerOptions(eval, &flags->options);
  eval->add_option("--details", flags->details,
                   "write one JSON line per pair: spinner spans (original, spun, restored, "
                   "exact), false changes and collateral changes");
  eval->add_option("--threads", flags->threads, "check documents on this many threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  eval->callback([flags, action] { *action = [flags] { return RunEval(*flags); }; });
}

}  // namespace unspin::cli
