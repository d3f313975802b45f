// Language model throughput: NgramModel::Score over real English text with the
// pocketsphinx en-us trigram model (imported with ReadSphinxTrieLm), and
// NgramModel::Open. Text: the first presidential speeches of
// ../shared/corpora, lower-cased, split on non-letters, sentences on . ! ?.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "unspin/lm/ngram_model.h"
#include "unspin/lm/sphinx_reader.h"

namespace unspin::lm {
namespace {

constexpr const char* kSphinxLm = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";

struct Fixture {
  VocabularyBuilder vocab;
  std::string section;
  NgramModel model;
  std::vector<WordId> tokens;  // kSentenceEnd between sentences
  size_t words = 0;
  bool ok = false;
};

Fixture* LoadFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture();
    Result<NgramModelBuilder> builder = ReadSphinxTrieLm(kSphinxLm, &f->vocab);
    if (!builder.ok()) {
      std::fprintf(stderr, "%s\n", builder.status().ToString().c_str());
      return f;
    }
    f->section = builder->Serialize();
    Result<NgramModel> model = NgramModel::Open(f->section);
    if (!model.ok()) return f;
    f->model = *model;

    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(UNSPIN_SHARED_DIR) / "corpora" / "presidential-speeches",
             error)) {
      files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < files.size() && f->tokens.size() < 1'000'000; ++i) {
      std::ifstream in(files[i]);
      std::stringstream text;
      text << in.rdbuf();
      std::string word;
      auto flush = [&] {
        if (word.empty()) return;
        std::optional<WordId> id = f->vocab.Find(word);
        f->tokens.push_back(id ? *id : kUnknownWord);
        ++f->words;
        word.clear();
      };
      for (char c : text.str()) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c == '\'' && !word.empty())) {
          word += c;
        } else {
          flush();
          if (c == '.' || c == '!' || c == '?') f->tokens.push_back(kSentenceEnd);
        }
      }
      flush();
    }
    f->ok = !f->tokens.empty();
    return f;
  }();
  return fixture;
}

void BM_Score(benchmark::State& state) {
  Fixture* f = LoadFixture();
  if (!f->ok) {
    state.SkipWithError("no sphinx LM or corpus");
    return;
  }
  const NgramModel& model = f->model;
  double total = 0;
  for (auto _ : state) {
    LmState lm_state = model.BeginSentence();
    for (WordId token : f->tokens) {
      if (token == kSentenceEnd) {
        total += model.EndSentenceScore(lm_state);
        lm_state = model.BeginSentence();
      } else {
        total += model.Score(lm_state, token, &lm_state);
      }
    }
  }
  benchmark::DoNotOptimize(total);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(f->tokens.size()));
  state.counters["tokens"] = static_cast<double>(f->tokens.size());
}
BENCHMARK(BM_Score)->Unit(benchmark::kMillisecond);

void BM_Open(benchmark::State& state) {
  Fixture* f = LoadFixture();
  if (!f->ok) {
    state.SkipWithError("no sphinx LM or corpus");
    return;
  }
  for (auto _ : state) {
    Result<NgramModel> model = NgramModel::Open(f->section);
    benchmark::DoNotOptimize(model);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(f->section.size()));
}
BENCHMARK(BM_Open);

}  // namespace
}  // namespace unspin::lm

BENCHMARK_MAIN();
