// Tests of the evaluation metrics: AUC against a brute-force pairwise count,
// the word alignment against a plain Levenshtein reference, JSONL parsing, and
// every metric on hand-made pairs with hand-made check results.
#include "unspin/pipeline/eval.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "unspin/channel/channel.h"

namespace unspin::pipeline {
namespace {

double BruteForceAuc(const std::vector<double>& positives, const std::vector<double>& negatives) {
  double wins = 0;
  for (double p : positives) {
    for (double n : negatives) wins += p > n ? 1.0 : p == n ? 0.5 : 0.0;
  }
  return wins / static_cast<double>(positives.size() * negatives.size());
}

// Textbook O(n*m) Levenshtein distance, no trimming.
size_t ReferenceDistance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
  }
  return d[a.size()][b.size()];
}

TEST(RocAucTest, MatchesBruteForceOnRandomScoresWithTies) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::uniform_int_distribution<int> size(1, 30);
    std::uniform_int_distribution<int> score(0, 9);  // few values: many ties
    std::vector<double> positives(static_cast<size_t>(size(rng)));
    std::vector<double> negatives(static_cast<size_t>(size(rng)));
    for (double& p : positives) p = score(rng) / 10.0 + 0.05;
    for (double& n : negatives) n = score(rng) / 10.0;
    if (round % 2 == 0) {
      for (double& n : negatives) n = std::round(n * 10.0 + 0.5) / 10.0 + 0.05;
    }
    EXPECT_NEAR(RocAuc(positives, negatives), BruteForceAuc(positives, negatives), 1e-12)
        << "round " << round;
  }
}

TEST(RocAucTest, ExtremesAndEmpty) {
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.9, 0.8}, std::vector<double>{0.1, 0.2}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.1}, std::vector<double>{0.9}), 0.0);
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{0.5}, std::vector<double>{0.5}), 0.5);
  EXPECT_DOUBLE_EQ(RocAuc(std::vector<double>{}, std::vector<double>{0.5}), 0.5);
}

std::vector<std::string> Words(const std::string& text) { return channel::SplitWords(text).keys; }

TEST(WordEditDistanceTest, TinyReference) {
  EXPECT_EQ(WordEditDistance(Words("the cat sat"), Words("the cat sat")), 0u);
  EXPECT_EQ(WordEditDistance(Words("the cat sat"), Words("the dog sat")), 1u);
  EXPECT_EQ(WordEditDistance(Words("he failed to"), Words("he stopped working to")), 2u);
  EXPECT_EQ(WordEditDistance(Words(""), Words("a b c")), 3u);
  EXPECT_EQ(WordEditDistance(Words("a b c"), Words("")), 3u);
  EXPECT_EQ(WordEditDistance(Words("in February"), Words("inFebruary")), 2u);
  // Case-folded lookup keys: a capital is not an edit.
  EXPECT_EQ(WordEditDistance(Words("Despite the rain"), Words("despite the rain")), 0u);
}

TEST(WordEditDistanceTest, AlignmentMatchesReferenceOnRandomSequences) {
  std::mt19937 rng(11);
  const std::vector<std::string> alphabet = {"a", "b", "c", "d"};
  for (int round = 0; round < 500; ++round) {
    std::uniform_int_distribution<int> size(0, 12);
    std::uniform_int_distribution<size_t> letter(0, alphabet.size() - 1);
    std::vector<std::string> a(static_cast<size_t>(size(rng))), b(static_cast<size_t>(size(rng)));
    for (std::string& w : a) w = alphabet[letter(rng)];
    for (std::string& w : b) w = alphabet[letter(rng)];
    std::vector<AlignStep> steps = AlignWords(a, b);
    size_t edits = 0, next_a = 0, next_b = 0;
    for (const AlignStep& step : steps) {
      switch (step.op) {
        case AlignOp::kMatch:
          ASSERT_EQ(a[step.a], b[step.b]);
          [[fallthrough]];
        case AlignOp::kSubstitute:
          ASSERT_EQ(step.a, next_a++);
          ASSERT_EQ(step.b, next_b++);
          if (step.op == AlignOp::kSubstitute) ++edits;
          break;
        case AlignOp::kDelete:
          ASSERT_EQ(step.a, next_a++);
          ASSERT_EQ(step.b, next_b);
          ++edits;
          break;
        case AlignOp::kInsert:
          ASSERT_EQ(step.a, next_a);
          ASSERT_EQ(step.b, next_b++);
          ++edits;
          break;
      }
    }
    EXPECT_EQ(next_a, a.size());
    EXPECT_EQ(next_b, b.size());
    EXPECT_EQ(edits, ReferenceDistance(a, b)) << "round " << round;
  }
}

// Texts too different to align in kMaxAlignCells get a position-by-position
// alignment: still consistent, never an allocation failure.
TEST(WordEditDistanceTest, HugeDifferingTextsFallBackToPositions) {
  std::vector<std::string> a, b;
  // (std::string appends, not "a" + to_string: GCC 12 warns -Wrestrict on that.)
  for (int k = 0; k < 9000; ++k) a.push_back(std::string(1, 'a').append(std::to_string(k)));
  for (int k = 0; k < 8000; ++k) b.push_back(std::string(1, 'b').append(std::to_string(k)));
  a.push_back("end");
  b.push_back("end");
  ASSERT_GT(9001u * 8001u, kMaxAlignCells);
  std::vector<AlignStep> steps = AlignWords(a, b);
  ASSERT_EQ(steps.size(), 9001u);
  EXPECT_EQ(steps.back().op, AlignOp::kMatch);
  EXPECT_EQ(WordEditDistance(a, b), 9000u);
  size_t next_a = 0, next_b = 0;
  for (const AlignStep& step : steps) {
    ASSERT_EQ(step.a, next_a);
    ASSERT_EQ(step.b, next_b);
    if (step.op != AlignOp::kInsert) ++next_a;
    if (step.op != AlignOp::kDelete) ++next_b;
  }
  EXPECT_EQ(next_a, a.size());
  EXPECT_EQ(next_b, b.size());
}

TEST(ParseEvalPairsTest, ReadsPairsAndSkipsBlankLines) {
  Result<std::vector<EvalPair>> pairs = ParseEvalPairs(
      "{\"original\": \"a b\", \"spun\": \"a c\", \"id\": \"x1\"}\n"
      "\n"
      "{\"spun\": \"d\", \"original\": \"e\", \"id\": 7, \"style\": \"phrase\"}\n"
      "{\"original\": \"f\", \"spun\": \"g\"}");
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 3u);
  EXPECT_EQ((*pairs)[0].id, "x1");
  EXPECT_EQ((*pairs)[0].spun, "a c");
  EXPECT_EQ((*pairs)[1].id, "7");
  EXPECT_EQ((*pairs)[1].original, "e");
  EXPECT_EQ((*pairs)[2].id, "4");  // no id: the line number
}

TEST(ParseEvalPairsTest, BadLinesNameTheLineNumber) {
  const char* const bad[] = {
      "{\"original\": \"a\", \"spun\": \"b\"}\nnot json\n",
      "{\"original\": \"a\", \"spun\": \"b\"}\n[1, 2]\n",
      "{\"original\": \"a\", \"spun\": \"b\"}\n{\"original\": \"a\"}\n",
      "{\"original\": \"a\", \"spun\": \"b\"}\n{\"original\": \"a\", \"spun\": 3}\n",
      "{\"original\": \"a\", \"spun\": \"b\"}\n{\"original\": \"a\", \"spun\": \"\xff\"}\n",
      "{\"original\": \"a\", \"spun\": \"b\"}\n{\"original\": \"a\", \"spun\": \"b\", \"id\": "
      "[]}\n",
  };
  for (const char* text : bad) {
    Result<std::vector<EvalPair>> pairs = ParseEvalPairs(text);
    ASSERT_FALSE(pairs.ok()) << text;
    EXPECT_EQ(pairs.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(pairs.status().message().find("line 2"), std::string::npos)
        << pairs.status().message();
  }
}

// Issue 17: a line nested too deep is a bad line, not a crash further on.
TEST(ParseEvalPairsTest, DeeplyNestedLinesAreRefused) {
  const std::string deep =
      "{\"original\": \"a\", \"spun\": \"b\", \"x\": " + std::string(100000, '[') +
      std::string(100000, ']') + "}";
  Result<std::vector<EvalPair>> pairs =
      ParseEvalPairs("{\"original\": \"a\", \"spun\": \"b\"}\n" + deep + "\n");
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().message(), "line 2: JSON nested deeper than 512 levels");
}

// A check result that replaces `text`'s bytes `from` with `to` (first
// occurrence of each), with the given probability.
CheckResult Replacing(const std::string& text, double probability,
                      const std::vector<std::pair<std::string, std::string>>& edits) {
  CheckResult result;
  result.spun_probability = probability;
  for (const auto& [from, to] : edits) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    SpunSpan span;
    span.start = static_cast<uint32_t>(at);
    span.end = static_cast<uint32_t>(at + from.size());
    span.text = from;
    span.original = to;
    result.spans.push_back(span);
  }
  std::sort(result.spans.begin(), result.spans.end(),
            [](const SpunSpan& x, const SpunSpan& y) { return x.start < y.start; });
  size_t last = 0;
  for (const SpunSpan& span : result.spans) {
    result.restored += text.substr(last, span.start - last) + span.original;
    last = span.end;
  }
  result.restored += text.substr(last);
  return result;
}

TEST(EvalAccumulatorTest, HandMadePairs) {
  EvalAccumulator accumulator;
  // Pair 1: two spinner spans (a substitution and a one-to-two phrase); the
  // checker restores the first exactly, misses the second, and changes one
  // word the spinner left alone ("old" -> "ancient"). The original gets one
  // false change.
  EvalPair one{"1", "The old man said he failed to repair the bridge.",
               "The old guy said he stopped working to repair the bridge."};
  PairOutcome first =
      accumulator.Add(one, Replacing(one.original, 0.2, {{"repair", "fix"}}),
                      Replacing(one.spun, 0.9, {{"guy", "man"}, {"old", "ancient"}}));
  // Pair 2: an inserted filler, which the checker removes; nothing else.
  EvalPair two{"2", "Prices had risen sharply.", "Prices had actually risen sharply."};
  PairOutcome second = accumulator.Add(two, Replacing(two.original, 0.6, {}),
                                       Replacing(two.spun, 0.4, {{"had actually", "had"}}));
  EvalReport report = accumulator.Report();

  EXPECT_EQ(report.pairs, 2u);
  EXPECT_EQ(report.original_words, 10u + 4u);
  EXPECT_EQ(report.spun_words, 11u + 5u);
  // Scores: spun {0.9, 0.4}, originals {0.2, 0.6}: 3 of 4 pairs ordered right.
  EXPECT_DOUBLE_EQ(report.auc, 0.75);
  EXPECT_EQ(report.true_positives, 1u);
  EXPECT_EQ(report.false_positives, 1u);
  EXPECT_DOUBLE_EQ(report.precision, 0.5);
  EXPECT_DOUBLE_EQ(report.recall, 0.5);
  EXPECT_DOUBLE_EQ(report.f1, 0.5);
  // Edits before: guy (1) + failed -> stopped working (2) + actually (1) = 4.
  // After: old -> ancient (1) + failed -> stopped working (2) = 3.
  EXPECT_EQ(report.edits_before, 4u);
  EXPECT_EQ(report.edits_after, 3u);
  EXPECT_DOUBLE_EQ(report.error_reduction, 0.25);
  // Left alone: the old said he to repair the bridge (8) + prices had risen sharply (4).
  EXPECT_EQ(report.untouched_words, 12u);
  // "old" in pair 1. In pair 2 the span "had actually" -> "had" keeps the
  // untouched "had": no collateral change.
  EXPECT_EQ(report.collateral_changes, 1u);
  EXPECT_DOUBLE_EQ(report.collateral, 1.0 / 12.0);
  EXPECT_EQ(report.original_words_changed, 1u);
  EXPECT_DOUBLE_EQ(report.false_changes, 1.0 / 14.0);
  // Spans: "man" -> "guy" (restored), "failed" -> "stopped working" (not),
  // the filler (restored).
  EXPECT_EQ(report.spinner_spans, 3u);
  EXPECT_EQ(report.spans_restored, 2u);
  EXPECT_DOUBLE_EQ(report.exact_restoration, 2.0 / 3.0);
  EXPECT_EQ(report.spans_reported_spun, 3u);
  EXPECT_EQ(report.spans_reported_original, 1u);

  // Per pair: each spinner span with what the restored text has there.
  EXPECT_EQ(first.id, "1");
  EXPECT_DOUBLE_EQ(first.spun_probability, 0.9);
  EXPECT_EQ(first.edits_before, 3u);
  EXPECT_EQ(first.edits_after, 3u);
  ASSERT_EQ(first.spinner_spans.size(), 2u);
  EXPECT_EQ(first.spinner_spans[0].original, "man");
  EXPECT_EQ(first.spinner_spans[0].spun, "guy");
  EXPECT_EQ(first.spinner_spans[0].restored, "man");
  EXPECT_TRUE(first.spinner_spans[0].exact);
  EXPECT_EQ(first.spinner_spans[1].original, "failed");
  EXPECT_EQ(first.spinner_spans[1].spun, "stopped working");
  EXPECT_EQ(first.spinner_spans[1].restored, "stopped working");
  EXPECT_FALSE(first.spinner_spans[1].exact);
  ASSERT_EQ(first.false_changes.size(), 1u);
  EXPECT_EQ(first.false_changes[0].text, "repair");
  ASSERT_EQ(first.collateral.size(), 1u);
  EXPECT_EQ(first.collateral[0].text, "old");
  ASSERT_EQ(second.spinner_spans.size(), 1u);
  EXPECT_EQ(second.spinner_spans[0].original, "");
  EXPECT_EQ(second.spinner_spans[0].spun, "actually");
  EXPECT_EQ(second.spinner_spans[0].restored, "");
  EXPECT_TRUE(second.spinner_spans[0].exact);
  EXPECT_TRUE(second.collateral.empty());  // "had actually" -> "had" keeps "had"
  EXPECT_EQ(PairOutcomeToJson(second),
            "{\"id\":\"2\",\"original_probability\":0.6,\"spun_probability\":0.4,"
            "\"edits_before\":1,\"edits_after\":0,\"spinner_spans\":[{\"original\":\"\","
            "\"spun\":\"actually\",\"restored\":\"\",\"exact\":true}],\"false_changes\":[],"
            "\"collateral\":[]}");

  std::string json = EvalReportToJson(report);
  EXPECT_EQ(json.front(), '{');
  EXPECT_NE(json.find("\"auc\":0.7500"), std::string::npos) << json;
  EXPECT_NE(json.find("\"exact_restoration\":0.6667"), std::string::npos) << json;
}

// A span that rewrites two words but changes one ("an issue" -> "a issue")
// is one false change: changes are counted on the words, not the spans.
TEST(EvalAccumulatorTest, ChangesAreCountedOnWordsNotSpans) {
  EvalAccumulator accumulator;
  EvalPair pair{"w", "They raised an issue today.", "They raised an problem today."};
  PairOutcome outcome =
      accumulator.Add(pair, Replacing(pair.original, 0.1, {{"an issue", "a issue"}}),
                      Replacing(pair.spun, 0.9, {{"raised an problem", "lifted an issue"}}));
  EvalReport report = accumulator.Report();
  EXPECT_EQ(report.original_words_changed, 1u);  // "an"
  EXPECT_EQ(report.collateral_changes, 1u);      // "raised"; "an" is kept
  EXPECT_EQ(report.spans_restored, 1u);
  ASSERT_EQ(outcome.collateral.size(), 1u);
  EXPECT_EQ(outcome.false_changes.size(), 1u);
}

TEST(EvalAccumulatorTest, IdenticalTextsAndNoChanges) {
  EvalAccumulator accumulator;
  EvalPair same{"s", "Nothing changed here.", "Nothing changed here."};
  accumulator.Add(same, Replacing(same.original, 0.1, {}), Replacing(same.spun, 0.1, {}));
  EvalReport report = accumulator.Report();
  EXPECT_EQ(report.edits_before, 0u);
  EXPECT_DOUBLE_EQ(report.error_reduction, 0.0);
  EXPECT_EQ(report.spinner_spans, 0u);
  EXPECT_DOUBLE_EQ(report.exact_restoration, 0.0);
  EXPECT_DOUBLE_EQ(report.auc, 0.5);
  EXPECT_DOUBLE_EQ(report.f1, 0.0);
}

}  // namespace
}  // namespace unspin::pipeline
