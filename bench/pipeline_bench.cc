// Model load time and end-to-end check throughput on the default model.
// Run: build/bench/bench/pipeline_bench (after scripts/build bench).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "unspin/model/model.h"
#include "unspin/pipeline/check.h"

namespace unspin {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Opening validates the header and the CRC32C of every section (page cache warm).
void BM_ModelOpen(benchmark::State& state) {
  for (auto _ : state) {
    auto model = model::Model::Open(UNSPIN_DEFAULT_MODEL);
    if (!model.ok()) {
      state.SkipWithError(model.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(model->get());
  }
}
BENCHMARK(BM_ModelOpen)->Unit(benchmark::kMillisecond);

// Detection + restoration on the seed specimen (or the bundled example).
void BM_CheckArticle(benchmark::State& state) {
  auto model = model::Model::Open(UNSPIN_DEFAULT_MODEL);
  if (!model.ok()) {
    state.SkipWithError(model.status().ToString().c_str());
    return;
  }
  std::string seed = std::string(UNSPIN_SHARED_DIR) + "/seed/spun-article.txt";
  std::string text = ReadText(std::filesystem::exists(seed)
                                  ? seed
                                  : std::string(UNSPIN_SOURCE_DIR) + "/examples/harbor-spun.txt");
  pipeline::Checker checker(**model);
  for (auto _ : state) {
    auto result = checker.Check(text);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_CheckArticle)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace unspin

BENCHMARK_MAIN();
