// libFuzzer target for the evaluation input: ParseEvalPairs on arbitrary bytes
// (or on edits of a valid pairs file) and, for every parsed pair, the metrics
// with a check result that restores nothing, with their invariants checked:
// the alignment consumes both word sequences, counts stay consistent, ratios
// stay in [0, 1].
//
//   clang++ -std=c++20 -fsanitize=fuzzer,address -Iinclude -Isrc fuzz/eval_pairs_fuzz.cc \
//       src/pipeline/eval.cc src/channel/align.cc src/text/*.cc src/base/*.cc -lutf8proc && ./a.out
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "unspin/channel/channel.h"
#include "unspin/pipeline/eval.h"

namespace {

using unspin::fuzz::Require;
using namespace unspin::pipeline;

const std::string kSeed =
    "{\"original\": \"The mayor had urged a quick decision.\", \"spun\": \"The mayor had actually "
    "urged a fast determination.\", \"id\": 1}\n"
    "\n"
    "{\"id\": \"x\", \"spun\": \"in February\", \"original\": \"inFebruary\"}\n";

bool InUnit(double value) { return value >= 0.0 && value <= 1.0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input = unspin::fuzz::MutateSeed(kSeed, data, size);
  unspin::Result<std::vector<EvalPair>> pairs = ParseEvalPairs(input);
  if (!pairs.ok()) {
    Require(pairs.status().code() == unspin::StatusCode::kInvalidArgument);
    Require(pairs.status().message().rfind("line ", 0) == 0);
    return 0;
  }
  EvalAccumulator accumulator;
  for (const EvalPair& pair : *pairs) {
    const std::vector<std::string> a = unspin::channel::SplitWords(pair.original).keys;
    const std::vector<std::string> b = unspin::channel::SplitWords(pair.spun).keys;
    size_t next_a = 0, next_b = 0;
    for (const AlignStep& step : AlignWords(a, b)) {
      Require(step.a == next_a && step.b == next_b);
      if (step.op != AlignOp::kInsert) ++next_a;
      if (step.op != AlignOp::kDelete) ++next_b;
    }
    Require(next_a == a.size() && next_b == b.size());
    CheckResult on_original, on_spun;
    on_original.restored = pair.original;
    on_spun.restored = pair.spun;
    on_spun.spun_probability = 0.5;
    accumulator.Add(pair, on_original, on_spun);
  }
  EvalReport report = accumulator.Report();
  Require(report.pairs == pairs->size());
  Require(report.edits_after == report.edits_before);  // nothing restored
  Require(report.spans_restored <= report.spinner_spans);
  Require(report.collateral_changes == 0 && report.original_words_changed == 0);
  Require(InUnit(report.auc) && InUnit(report.f1) && InUnit(report.exact_restoration));
  return 0;
}
