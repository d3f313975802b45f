// unspin model build / unspin model info.
#include <chrono>
#include <cstdio>

#include "cli.h"

namespace unspin::cli {
namespace {

struct ModelFlags {
  std::string output;
  std::string path;
  model::BuildOptions sources;
};

std::string Megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

int RunBuild(const ModelFlags& flags) {
  std::string path = ModelPath(flags.output);
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

int RunInfo(const ModelFlags& flags) {
  int exit_code = kExitOk;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<model::Model> model = LoadModel(flags.path, &exit_code);
  if (!model) return exit_code;
  double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  model::ModelInfo info = model->Info();
  std::printf("model\t%s\n", info.path.c_str());
  std::printf("format_version\t%u\n", info.version);
  std::printf("file_bytes\t%llu\n", static_cast<unsigned long long>(info.file_bytes));
  std::printf("load_ms\t%.1f\n", load_ms);
  std::printf("vocabulary_words\t%llu\n", static_cast<unsigned long long>(info.vocabulary_words));
  std::printf("thesaurus_entries\t%llu\n", static_cast<unsigned long long>(info.lexicon.entries));
  std::printf("thesaurus_multiword_entries\t%llu\n",
              static_cast<unsigned long long>(info.lexicon.multiword_entries));
  std::printf("thesaurus_edges\t%llu\n", static_cast<unsigned long long>(info.lexicon.edges));
  std::printf("morphology_forms\t%llu\n",
              static_cast<unsigned long long>(info.lexicon.morphology_forms));
  std::printf("lm_order\t%d\n", info.lm_order);
  if (!info.second_ngram_counts.empty()) {
    std::printf("lm_weight\t%g\n", info.lm_weight);
    std::printf("second_lm_order\t%d\n", info.second_lm_order);
  }
  std::printf("channel_phrases\t%llu\n", static_cast<unsigned long long>(info.channel_phrases));
  std::printf("channel_entries\t%llu\n", static_cast<unsigned long long>(info.channel_entries));
  for (size_t n = 0; n < info.ngram_counts.size(); ++n) {
    std::printf("lm_%zugrams\t%llu\n", n + 1,
                static_cast<unsigned long long>(info.ngram_counts[n]));
  }
  for (size_t n = 0; n < info.second_ngram_counts.size(); ++n) {
    std::printf("second_lm_%zugrams\t%llu\n", n + 1,
                static_cast<unsigned long long>(info.second_ngram_counts[n]));
  }
  for (const SectionInfo& section : info.sections) {
    std::printf("section\t%s\t%llu bytes\n", SectionTagName(section.tag).c_str(),
                static_cast<unsigned long long>(section.size));
  }
  std::printf("sources\t%s\n", info.sources.c_str());
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
  build->add_option("-o,--output", flags->output,
                    "model file to write (default: $UNSPIN_MODEL or the built-in path)");
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
  build
      ->add_option("--lm-weight", flags->sources.lm_weight,
                   "with --lm: its share in a mixture with --sphinx-lm (1: --lm alone)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  build->add_option("--channel", flags->sources.channel_path,
                    "learned channel table (TSV from `unspin channel learn`) to add as CHAN");
  build->callback([flags, action] { *action = [flags] { return RunBuild(*flags); }; });
  CLI::App* info = model->add_subcommand("info", "Print what a model file holds");
  info->add_option("model", flags->path, "model file (default: $UNSPIN_MODEL or the built-in)");
  info->callback([flags, action] { *action = [flags] { return RunInfo(*flags); }; });
}

}  // namespace unspin::cli
