// unspin model build / unspin model calibrate / unspin model info.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/pipeline/check.h"
#include "unspin/pipeline/eval.h"

namespace unspin::cli {
namespace {

// --lm's share in the mixture with the general model when --lm-weight is not given.
constexpr double kArchiveLmWeight = 0.8;

struct ModelFlags {
  std::string output;
  std::string path;
  std::string pairs;
  model::BuildOptions sources;
};

std::string Megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

int RunBuild(const ModelFlags& flags) {
  const std::string path = ModelPath(flags.output);
  if (path.empty()) {
    std::fprintf(stderr,
                 "unspin: no default model path (/proc/self/exe unreadable): give -o FILE\n");
    return kExitUsage;
  }
  auto start = std::chrono::steady_clock::now();
  model::BuildReport report;
  Status status = model::BuildModel(flags.sources, path, &report);
  if (!status.ok()) return Fail(status, Origin::kInput);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "unspin: built %s (%s, %llu words) in %.1f s\n", path.c_str(),
               Megabytes(report.file_bytes).c_str(),
               static_cast<unsigned long long>(report.vocabulary_words), seconds);
  if (!flags.sources.channel_path.empty()) {
    std::fprintf(stderr, "unspin: channel: %llu spun phrases, %llu entries\n",
                 static_cast<unsigned long long>(report.channel_phrases),
                 static_cast<unsigned long long>(report.channel_entries));
  }
  return kExitOk;
}

// Fits the verdict's weights to the model on labelled pairs and writes the
// model with them.
int RunCalibrate(const ModelFlags& flags) {
  int exit_code = kExitOk;
  std::optional<std::vector<pipeline::EvalPair>> pairs = ReadPairs(flags.pairs, &exit_code);
  if (!pairs) return exit_code;
  if (pairs->empty()) {
    return Fail(InvalidArgumentError(flags.pairs + ": no pairs to calibrate on"), Origin::kInput);
  }
  std::unique_ptr<model::Model> model = LoadModel(flags.path, &exit_code);
  if (!model) return exit_code;
  // The features do not depend on the weights: any checker of this model reads them.
  pipeline::Checker checker(*model);
  std::vector<pipeline::DetectorExample> examples;
  for (const pipeline::EvalPair& pair : *pairs) {
    for (const auto& [text, spun] : {std::pair{&pair.original, false}, {&pair.spun, true}}) {
      Result<pipeline::CheckResult> checked = checker.Check(*text);
      if (!checked.ok())
        return Fail(checked.status().WithContext("pair " + pair.id), Origin::kInput);
      examples.push_back({checked->words, checked->features, spun});
    }
  }
  const pipeline::DetectorWeights weights = pipeline::FitDetector(examples);
  const pipeline::DetectorWeights current = pipeline::DetectorWeights::Of(*model);
  // How well each set of weights reads the pairs: ROC AUC and mean log loss.
  auto measure = [&examples](const pipeline::DetectorWeights& w, double* auc, double* loss) {
    std::vector<double> spun, original;
    double total = 0;
    for (const pipeline::DetectorExample& example : examples) {
      const double p = pipeline::SpunProbability(example.words, example.features, w,
                                                 pipeline::kDefaultSpunShare);
      (example.spun ? spun : original).push_back(p);
      total -= std::log(std::clamp(example.spun ? p : 1 - p, 1e-12, 1.0));
    }
    *auc = pipeline::RocAuc(spun, original);
    *loss = total / static_cast<double>(examples.size());
  };
  double auc_before, loss_before, auc_after, loss_after;
  measure(current, &auc_before, &loss_before);
  measure(weights, &auc_after, &loss_after);
  const std::string out = ModelPath(flags.output);
  Status status = model->WriteWithDetectorWeights(weights.ToNumbers(), out);
  if (!status.ok()) return Fail(status, Origin::kInput);
  CheckedOutput& output = StandardOutput();
  output.Printf("pairs\t%zu\n", pairs->size());
  output.Printf("auc\t%.4f\t(before %.4f)\n", auc_after, auc_before);
  output.Printf("log_loss\t%.4f\t(before %.4f)\n", loss_after, loss_before);
  const pipeline::DetectorNumbers numbers = weights.ToNumbers();
  output.Printf("weights");
  for (double w : numbers) output.Printf("\t%.4f", w);
  output.Printf("\n");
  std::fprintf(stderr, "unspin: wrote %s (calibrated on %zu pairs)\n", out.c_str(), pairs->size());
  return kExitOk;
}

int RunInfo(const ModelFlags& flags) {
  int exit_code = kExitOk;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<model::Model> model = LoadModel(flags.path, &exit_code);
  if (!model) return exit_code;
  double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  model::ModelInfo info = model->Info();
  CheckedOutput& out = StandardOutput();
  out.Printf("model\t%s\n", info.path.c_str());
  out.Printf("format_version\t%u\n", info.version);
  out.Printf("file_bytes\t%llu\n", static_cast<unsigned long long>(info.file_bytes));
  out.Printf("load_ms\t%.1f\n", load_ms);
  out.Printf("vocabulary_words\t%llu\n", static_cast<unsigned long long>(info.vocabulary_words));
  out.Printf("thesaurus_entries\t%llu\n", static_cast<unsigned long long>(info.lexicon.entries));
  out.Printf("thesaurus_multiword_entries\t%llu\n",
             static_cast<unsigned long long>(info.lexicon.multiword_entries));
  out.Printf("thesaurus_edges\t%llu\n", static_cast<unsigned long long>(info.lexicon.edges));
  out.Printf("morphology_forms\t%llu\n",
             static_cast<unsigned long long>(info.lexicon.morphology_forms));
  out.Printf("detector\t%s\n", info.calibrated ? "calibrated" : "default");
  out.Printf("lm_order\t%d\n", info.lm_order);
  if (!info.second_ngram_counts.empty()) {
    out.Printf("lm_weight\t%g\n", info.lm_weight);
    out.Printf("second_lm_order\t%d\n", info.second_lm_order);
  }
  out.Printf("channel_phrases\t%llu\n", static_cast<unsigned long long>(info.channel_phrases));
  out.Printf("channel_entries\t%llu\n", static_cast<unsigned long long>(info.channel_entries));
  for (size_t n = 0; n < info.ngram_counts.size(); ++n) {
    out.Printf("lm_%zugrams\t%llu\n", n + 1, static_cast<unsigned long long>(info.ngram_counts[n]));
  }
  for (size_t n = 0; n < info.second_ngram_counts.size(); ++n) {
    out.Printf("second_lm_%zugrams\t%llu\n", n + 1,
               static_cast<unsigned long long>(info.second_ngram_counts[n]));
  }
  for (const SectionInfo& section : info.sections) {
    out.Printf("section\t%s\t%llu bytes\n", SectionTagName(section.tag).c_str(),
               static_cast<unsigned long long>(section.size));
  }
  out.Printf("sources\t%s\n", info.sources.c_str());
  return kExitOk;
}

}  // namespace

void RegisterModel(CLI::App& app, Action* action) {
  auto flags = std::make_shared<ModelFlags>();
  CLI::App* model = app.add_subcommand("model", "Build or inspect the unspin model file");
  model->require_subcommand(1);
  CLI::App* build = model->add_subcommand(
      "build",
      "Build the model from Debian's WordNet, MyThes and pocketsphinx data (or a trained LM)");
  build->add_option(
      "-o,--output", flags->output,
      "model file to write (default: $UNSPIN_MODEL, else where unspin looks for its model)");
  build->add_option("--wordnet", flags->sources.wordnet_dir, "WordNet dict directory")
      ->capture_default_str();
  build->add_option("--mythes", flags->sources.mythes_path, "MyThes .dat thesaurus")
      ->capture_default_str();
  build
      ->add_option("--sphinx-lm", flags->sources.sphinx_lm_path,
                   "pocketsphinx binary trie language model")
      ->capture_default_str();
  build->add_option("--lm", flags->sources.lm_path,
                    "language model file from `unspin lm build` to use instead of --sphinx-lm");
  CLI::Option* lm_weight =
      build
          ->add_option("--lm-weight", flags->sources.lm_weight,
                       "with --lm: its share in a mixture with --sphinx-lm (default 0.8; 1: --lm "
                       "alone)")
          ->check(FiniteRange(0.0, 1.0));
  build->add_option("--channel", flags->sources.channel_path,
                    "learned channel table (TSV from `unspin channel learn`) to add as CHAN");
  build->callback([flags, action, lm_weight] {
    // A trained model knows its archive but less English than the general
    // one: mixed at 0.8 it measured best (docs/evaluation.md).
    if (!flags->sources.lm_path.empty() && lm_weight->count() == 0) {
      flags->sources.lm_weight = kArchiveLmWeight;
    }
    *action = [flags] { return RunBuild(*flags); };
  });
  CLI::App* calibrate = model->add_subcommand(
      "calibrate",
      "Fit the spun probability to a model on (original, spun) pairs and store it in the model");
  calibrate
      ->add_option("--pairs", flags->pairs, "JSONL file of {\"original\", \"spun\"} pairs, or -")
      ->required();
  calibrate->add_option("--model", flags->path,
                        "model to calibrate (default: $UNSPIN_MODEL or the built-in)");
  calibrate->add_option("-o,--output", flags->output, "calibrated model file to write")->required();
  calibrate->callback([flags, action] { *action = [flags] { return RunCalibrate(*flags); }; });
  CLI::App* info = model->add_subcommand("info", "Print what a model file holds");
  info->add_option("model", flags->path, "model file (default: $UNSPIN_MODEL or the built-in)");
  info->callback([flags, action] { *action = [flags] { return RunInfo(*flags); }; });
}

}  // namespace unspin::cli
