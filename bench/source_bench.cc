// Source finding kernels on real documents (presidential speeches): word
// classification, shingling, index candidates, alignment and a whole find.
// Run: build/bench/bench/source_bench (after scripts/build bench).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "unspin/simulate/spinner.h"
#include "unspin/source/find.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::source {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<WordClasses> classes;
  std::vector<std::string> texts;
  std::vector<std::string> spun;  // a spun copy (thesaurus style, 30%) of each text
  fs::path dir;
  std::unique_ptr<Index> index;
};

// 300 speeches, indexed once per process.
Fixture* Shared() {
  static Fixture* const kFixture = [] {
    auto* fixture = new Fixture;
    auto model = model::Model::Open(UNSPIN_DEFAULT_MODEL);
    if (!model.ok()) std::abort();
    fixture->model = std::move(*model);
    fixture->classes = std::make_unique<WordClasses>(*fixture->model);
    std::vector<fs::path> paths;
    for (const auto& entry :
         fs::directory_iterator(fs::path(UNSPIN_SHARED_DIR) / "corpora/presidential-speeches")) {
      paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    auto spinner =
        simulate::Spinner::Create(*fixture->model, {simulate::Style::kThesaurus, 0.3, 1});
    fixture->dir =
        fs::temp_directory_path() / ("unspin_source_bench_" + std::to_string(::getpid()));
    auto writer = IndexWriter::Create(fixture->dir, *fixture->classes, {});
    if (!spinner.ok() || !writer.ok()) std::abort();
    for (size_t i = 0; i < paths.size() && fixture->texts.size() < 300; i += 3) {
      std::ifstream in(paths[i], std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!(*writer)->Add({paths[i].stem().string(), text, "{}"}).ok()) std::abort();
      auto spun = spinner->Spin(text, i);
      fixture->spun.push_back(spun.ok() ? spun->text : text);
      fixture->texts.push_back(std::move(text));
    }
    if (!(*writer)->Commit().ok()) std::abort();
    auto index = Index::Open(fixture->dir, fixture->classes->fingerprint());
    if (!index.ok()) std::abort();
    fixture->index = std::move(*index);
    std::atexit([] { fs::remove_all(Shared()->dir); });
    return fixture;
  }();
  return kFixture;
}

void BM_WordClassesBuild(benchmark::State& state) {
  const Fixture& fixture = *Shared();
  for (auto _ : state) {
    WordClasses classes(*fixture.model);
    benchmark::DoNotOptimize(classes.fingerprint());
  }
}
BENCHMARK(BM_WordClassesBuild)->Unit(benchmark::kMillisecond);

// Tokenise + classify + sampled shingles: the per-document cost of indexing.
void BM_ClassifyAndShingle(benchmark::State& state) {
  const Fixture& fixture = *Shared();
  size_t bytes = 0;
  size_t i = 0;
  std::vector<uint64_t> keys;
  for (auto _ : state) {
    const std::string& text = fixture.texts[i++ % fixture.texts.size()];
    keys.clear();
    SampledShingles(fixture.classes->Classify(text), kDefaultSampleModulus, &keys);
    benchmark::DoNotOptimize(keys.data());
    bytes += text.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ClassifyAndShingle);

// Alignment of a spun copy with its source (both already classified).
void BM_AlignSpunCopy(benchmark::State& state) {
  const Fixture& fixture = *Shared();
  std::vector<std::pair<ClassedText, ClassedText>> pairs;
  for (size_t i = 0; i < 20; ++i) {
    pairs.emplace_back(fixture.classes->Classify(fixture.spun[i]),
                       fixture.classes->Classify(fixture.texts[i]));
  }
  size_t i = 0;
  size_t words = 0;
  for (auto _ : state) {
    const auto& [query, source] = pairs[i++ % pairs.size()];
    Alignment alignment = Align(query, source);
    benchmark::DoNotOptimize(alignment.score);
    words += query.words.size();
  }
  state.counters["words/s"] =
      benchmark::Counter(static_cast<double>(words), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AlignSpunCopy);

// A whole query: classify, candidates, verify, rank.
void BM_FindSpunCopy(benchmark::State& state) {
  const Fixture& fixture = *Shared();
  Finder finder(*fixture.index, *fixture.classes);
  size_t i = 0;
  for (auto _ : state) {
    auto matches = finder.Find(fixture.spun[i++ % fixture.spun.size()]);
    benchmark::DoNotOptimize(matches);
  }
}
BENCHMARK(BM_FindSpunCopy)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace unspin::source

BENCHMARK_MAIN();
