// Throughput of the text module on real prose: ValidateUtf8, Tokenize,
// Normalize and AppendLookupKey, in bytes (or tokens) per second.
//
// Text: the file named by $UNSPIN_BENCH_TEXT when set (bench/tokenize_vs_wc.sh
// uses this to time `wc -w` on the very same bytes), otherwise the files of
// ../shared/corpora/presidential-speeches in name order, whole files, until
// about 20 MB.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "unspin/base/file.h"
#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"
#include "unspin/text/utf8.h"

namespace unspin::text {
namespace {

constexpr size_t kCorpusBytes = 20u << 20;

std::string LoadText() {
  if (const char* path = std::getenv("UNSPIN_BENCH_TEXT"); path != nullptr && *path != '\0') {
    Result<std::string> bytes = ReadFileOrStdin(path);
    if (!bytes.ok()) {
      std::fprintf(stderr, "text_bench: %s\n", bytes.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(bytes).value();
  }
  const std::filesystem::path dir =
      std::filesystem::path(UNSPIN_SHARED_DIR) / "corpora" / "presidential-speeches";
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() != ".md") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string text;
  for (const auto& file : files) {
    if (text.size() >= kCorpusBytes) break;
    Result<std::string> bytes = ReadFileOrStdin(file.string());
    if (bytes.ok()) text += *bytes;
  }
  if (text.empty()) {
    std::fprintf(stderr, "text_bench: no text in %s; set UNSPIN_BENCH_TEXT\n", dir.c_str());
    std::exit(1);
  }
  return text;
}

const std::string& Text() {
  static const std::string* text = new std::string(LoadText());
  return *text;
}

void BM_ValidateUtf8(benchmark::State& state) {
  const std::string& text = Text();
  for (auto _ : state) {
    Status status = ValidateUtf8(text);
    benchmark::DoNotOptimize(status);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ValidateUtf8)->Unit(benchmark::kMillisecond);

void BM_ValidateUtf8Ascii(benchmark::State& state) {
  const std::string text(16u << 20, 'a');
  for (auto _ : state) {
    Status status = ValidateUtf8(text);
    benchmark::DoNotOptimize(status);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ValidateUtf8Ascii)->Unit(benchmark::kMillisecond);

void BM_Tokenize(benchmark::State& state) {
  const std::string& text = Text();
  size_t tokens = 0;
  for (auto _ : state) {
    TokenizedText tt = Tokenize(text);
    tokens = tt.tokens.size();
    benchmark::DoNotOptimize(tt);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
}
BENCHMARK(BM_Tokenize)->Unit(benchmark::kMillisecond);

void BM_Normalize(benchmark::State& state) {
  const std::string& text = Text();
  for (auto _ : state) {
    NormalizedText norm = Normalize(text);
    benchmark::DoNotOptimize(norm);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Normalize)->Unit(benchmark::kMillisecond);

void BM_AppendLookupKey(benchmark::State& state) {
  const std::string& text = Text();
  const TokenizedText tt = Tokenize(text);
  std::string key;
  for (auto _ : state) {
    for (const Token& token : tt.tokens) {
      key.clear();
      AppendLookupKey(std::string_view(text).substr(token.begin, token.end - token.begin), &key);
      benchmark::DoNotOptimize(key.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * tt.tokens.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_AppendLookupKey)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace unspin::text

BENCHMARK_MAIN();
