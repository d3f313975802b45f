// Evaluation metrics for the checker (definitions: docs/evaluation.md).
//
// Invariants: AlignWords returns steps in order, consuming every word of a and
// of b exactly once; the number of non-match steps is the Levenshtein
// distance. A "spinner span" is a maximal run of consecutive non-match steps
// of the original <-> spun alignment; it covers original words [i0, i1) and
// the gaps i0..i1 between them (a pure insertion covers only gap i0).
#include "unspin/pipeline/eval.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "unspin/base/json_depth.h"
#include "unspin/text/utf8.h"

namespace unspin::pipeline {
namespace {

// changed[i] is true when before[i] has no identical counterpart in `after`
// under the word alignment: the checker replaced or deleted it.
std::vector<bool> ChangedWords(const std::vector<std::string>& before,
                               const std::vector<std::string>& after) {
  std::vector<bool> changed(before.size(), true);
  for (const AlignStep& step : AlignWords(before, after)) {
    if (step.op == AlignOp::kMatch) changed[step.a] = false;
  }
  return changed;
}

double Ratio(uint64_t numerator, uint64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

Status LineError(size_t line_number, std::string_view what) {
  return InvalidArgumentError("line " + std::to_string(line_number) + ": " + std::string(what));
}

}  // namespace

Result<std::vector<EvalPair>> ParseEvalPairs(std::string_view jsonl) {
  std::vector<EvalPair> pairs;
  size_t line_number = 0;
  while (!jsonl.empty()) {
    ++line_number;
    size_t newline = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, newline);
    jsonl.remove_prefix(newline == std::string_view::npos ? jsonl.size() : newline + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (Status utf8 = text::ValidateUtf8(line); !utf8.ok()) {
      return LineError(line_number, utf8.message());
    }
    if (Status depth = CheckJsonDepth(line); !depth.ok()) {
      return LineError(line_number, depth.message());
    }
    nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
      return LineError(line_number, "not valid JSON (expected {\"original\": ..., \"spun\": ...})");
    }
    if (!json.is_object()) return LineError(line_number, "not a JSON object");
    EvalPair pair;
    for (const char* member : {"original", "spun"}) {
      auto it = json.find(member);
      if (it == json.end() || !it->is_string()) {
        return LineError(line_number, std::string("missing string member \"") + member + "\"");
      }
      (member[0] == 'o' ? pair.original : pair.spun) = it->get_ref<const std::string&>();
    }
    if (auto it = json.find("id"); it != json.end()) {
      if (it->is_string()) {
        pair.id = it->get_ref<const std::string&>();
      } else if (it->is_number()) {
        pair.id = it->dump();
      } else {
        return LineError(line_number, "\"id\" must be a string or a number");
      }
    } else {
      pair.id = std::to_string(line_number);
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

std::vector<AlignStep> AlignWords(std::span<const std::string> a, std::span<const std::string> b) {
  return *channel::AlignWords(a, b, kMaxAlignCells, channel::OverBound::kPositional);
}

size_t WordEditDistance(std::span<const std::string> a, std::span<const std::string> b) {
  std::vector<AlignStep> steps = AlignWords(a, b);
  return static_cast<size_t>(std::count_if(
      steps.begin(), steps.end(), [](const AlignStep& s) { return s.op != AlignOp::kMatch; }));
}

double RocAuc(std::span<const double> positives, std::span<const double> negatives) {
  if (positives.empty() || negatives.empty()) return 0.5;
  // Rank-sum form of Mann-Whitney U with mid-ranks for ties.
  std::vector<std::pair<double, bool>> all;
  all.reserve(positives.size() + negatives.size());
  for (double p : positives) all.push_back({p, true});
  for (double n : negatives) all.push_back({n, false});
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  double positive_rank_sum = 0;
  for (size_t k = 0; k < all.size();) {
    size_t end = k;
    while (end < all.size() && all[end].first == all[k].first) ++end;
    double mid_rank = (static_cast<double>(k + 1) + static_cast<double>(end)) / 2.0;
    for (size_t t = k; t < end; ++t) {
      if (all[t].second) positive_rank_sum += mid_rank;
    }
    k = end;
  }
  double n_pos = static_cast<double>(positives.size());
  double n_neg = static_cast<double>(negatives.size());
  double u = positive_rank_sum - n_pos * (n_pos + 1) / 2.0;
  return u / (n_pos * n_neg);
}

PairOutcome EvalAccumulator::Add(const EvalPair& pair, const CheckResult& on_original,
                                 const CheckResult& on_spun) {
  EvalReport& t = totals_;
  PairOutcome outcome;
  outcome.id = pair.id;
  outcome.original_probability = on_original.spun_probability;
  outcome.spun_probability = on_spun.spun_probability;
  ++t.pairs;
  spun_scores_.push_back(on_spun.spun_probability);
  original_scores_.push_back(on_original.spun_probability);
  if (on_spun.spun_probability >= 0.5) ++t.true_positives;
  if (on_original.spun_probability >= 0.5) ++t.false_positives;
  t.spans_reported_spun += on_spun.spans.size();
  t.spans_reported_original += on_original.spans.size();

  const channel::TextWords spun = channel::SplitWords(pair.spun);
  const std::vector<std::string> original_keys = channel::SplitWords(pair.original).keys;
  const std::vector<std::string>& spun_keys = spun.keys;
  const std::vector<std::string> restored_keys = channel::SplitWords(on_spun.restored).keys;
  t.original_words += original_keys.size();
  t.spun_words += spun_keys.size();

  // False changes: words of the original that its restored text does not
  // keep (by alignment, so a span "an problem" -> "a problem" changes one word).
  std::vector<bool> original_changed =
      ChangedWords(original_keys, channel::SplitWords(on_original.restored).keys);
  t.original_words_changed +=
      static_cast<uint64_t>(std::count(original_changed.begin(), original_changed.end(), true));
  outcome.false_changes = on_original.spans;

  std::vector<AlignStep> spin = AlignWords(original_keys, spun_keys);
  std::vector<AlignStep> restore = AlignWords(original_keys, restored_keys);
  auto non_match = [](const AlignStep& s) { return s.op != AlignOp::kMatch; };
  outcome.edits_before = static_cast<uint64_t>(std::count_if(spin.begin(), spin.end(), non_match));
  outcome.edits_after =
      static_cast<uint64_t>(std::count_if(restore.begin(), restore.end(), non_match));
  t.edits_before += outcome.edits_before;
  t.edits_after += outcome.edits_after;

  // Collateral: spun words the spinner left alone (aligned to an identical
  // original word) that the restored text does not keep.
  std::vector<bool> spun_changed = ChangedWords(spun_keys, restored_keys);
  std::vector<bool> collateral(spun_keys.size(), false);
  for (const AlignStep& step : spin) {
    if (step.op != AlignOp::kMatch) continue;
    ++t.untouched_words;
    collateral[step.b] = spun_changed[step.b];
    if (spun_changed[step.b]) ++t.collateral_changes;
  }
  for (const SpunSpan& span : on_spun.spans) {
    for (size_t k = 0; k < spun_keys.size(); ++k) {
      if (collateral[k] && spun.begins[k] < span.end && span.start < spun.ends[k]) {
        outcome.collateral.push_back(span);
        break;
      }
    }
  }

  // Exact restoration: per original word, whether the restored text keeps it
  // (aligned match); per gap between original words, restored words inserted.
  std::vector<bool> kept(original_keys.size(), false);
  std::vector<uint32_t> inserted(original_keys.size() + 1, 0);
  // restored_at[g]: the restored words aligned to original word g (g <
  // original_keys.size()) or inserted in gap g (index original_keys.size() + 1 + g).
  std::vector<std::string> restored_at(2 * original_keys.size() + 2);
  auto append = [](std::string* text, const std::string& word) {
    if (word.empty()) return;
    if (!text->empty()) *text += ' ';
    *text += word;
  };
  for (const AlignStep& step : restore) {
    if (step.op == AlignOp::kMatch) kept[step.a] = true;
    if (step.op == AlignOp::kInsert) {
      ++inserted[step.a];
      append(&restored_at[original_keys.size() + 1 + step.a], restored_keys[step.b]);
    } else if (step.op != AlignOp::kDelete) {
      append(&restored_at[step.a], restored_keys[step.b]);
    }
  }
  for (size_t k = 0; k < spin.size();) {
    if (spin[k].op == AlignOp::kMatch) {
      ++k;
      continue;
    }
    uint32_t first = spin[k].a;  // the span's first original word, or its gap
    uint32_t last = first;       // one past its last original word
    SpanOutcome span;
    for (; k < spin.size() && spin[k].op != AlignOp::kMatch; ++k) {
      if (spin[k].op != AlignOp::kInsert) {
        last = spin[k].a + 1;
        append(&span.original, original_keys[spin[k].a]);
      }
      if (spin[k].op != AlignOp::kDelete) append(&span.spun, spun_keys[spin[k].b]);
    }
    ++t.spinner_spans;
    bool exact = true;
    for (uint32_t w = first; w < last && exact; ++w) exact = kept[w];
    for (uint32_t g = first; g <= last && exact; ++g) exact = inserted[g] == 0;
    if (exact) ++t.spans_restored;
    for (uint32_t g = first; g <= last; ++g) {
      append(&span.restored, restored_at[original_keys.size() + 1 + g]);
      if (g < last) append(&span.restored, restored_at[g]);
    }
    span.exact = exact;
    outcome.spinner_spans.push_back(std::move(span));
  }
  return outcome;
}

EvalReport EvalAccumulator::Report() const {
  EvalReport r = totals_;
  r.auc = RocAuc(spun_scores_, original_scores_);
  r.recall = Ratio(r.true_positives, r.pairs);
  r.precision = Ratio(r.true_positives, r.true_positives + r.false_positives);
  r.f1 = r.precision + r.recall == 0 ? 0.0 : 2 * r.precision * r.recall / (r.precision + r.recall);
  r.error_reduction = r.edits_before == 0 ? 0.0 : 1.0 - Ratio(r.edits_after, r.edits_before);
  r.collateral = Ratio(r.collateral_changes, r.untouched_words);
  r.false_changes = Ratio(r.original_words_changed, r.original_words);
  r.exact_restoration = Ratio(r.spans_restored, r.spinner_spans);
  return r;
}

std::string PairOutcomeToJson(const PairOutcome& outcome) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["id"] = outcome.id;
  json["original_probability"] = std::round(outcome.original_probability * 1e4) / 1e4;
  json["spun_probability"] = std::round(outcome.spun_probability * 1e4) / 1e4;
  json["edits_before"] = outcome.edits_before;
  json["edits_after"] = outcome.edits_after;
  nlohmann::ordered_json spans = nlohmann::ordered_json::array();
  for (const SpanOutcome& span : outcome.spinner_spans) {
    spans.push_back({{"original", span.original},
                     {"spun", span.spun},
                     {"restored", span.restored},
                     {"exact", span.exact}});
  }
  json["spinner_spans"] = std::move(spans);
  for (const auto& [key, list] : {std::pair{"false_changes", &outcome.false_changes},
                                  std::pair{"collateral", &outcome.collateral}}) {
    nlohmann::ordered_json changes = nlohmann::ordered_json::array();
    for (const SpunSpan& span : *list) {
      changes.push_back({{"text", span.text}, {"original", span.original}});
    }
    json[key] = std::move(changes);
  }
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string EvalReportToJson(const EvalReport& r) {
  std::string out = "{";
  auto add_count = [&out](const char* key, uint64_t value) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += key;
    out += "\":";
    out += std::to_string(value);
  };
  auto add_value = [&out](const char* key, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%s\"%s\":%.4f", out.size() > 1 ? "," : "", key, value);
    out += buffer;
  };
  add_count("pairs", r.pairs);
  add_count("original_words", r.original_words);
  add_count("spun_words", r.spun_words);
  add_value("auc", r.auc);
  add_value("precision", r.precision);
  add_value("recall", r.recall);
  add_value("f1", r.f1);
  add_count("true_positives", r.true_positives);
  add_count("false_positives", r.false_positives);
  add_count("edits_before", r.edits_before);
  add_count("edits_after", r.edits_after);
  add_value("error_reduction", r.error_reduction);
  add_count("untouched_words", r.untouched_words);
  add_count("collateral_changes", r.collateral_changes);
  add_value("collateral", r.collateral);
  add_count("original_words_changed", r.original_words_changed);
  add_value("false_changes", r.false_changes);
  add_count("spinner_spans", r.spinner_spans);
  add_count("spans_restored", r.spans_restored);
  add_value("exact_restoration", r.exact_restoration);
  add_count("spans_reported_spun", r.spans_reported_spun);
  add_count("spans_reported_original", r.spans_reported_original);
  out += '}';
  return out;
}

}  // namespace unspin::pipeline
