// unspin check / unspin restore.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/extract/format.h"
#include "unspin/pipeline/check.h"
#include "unspin/pipeline/check_windows.h"
#include "unspin/pipeline/extract.h"
#include "unspin/source/find.h"

namespace unspin::cli {
namespace {

struct CheckFlags {
  std::string input = "-";
  std::string model;
  bool json = false;
  bool lines = false;
  bool features = false;
  std::string index;            // restore: take the wording from this archive's source, when found
  std::string format = "auto";  // auto, text or html
  pipeline::CheckOptions options;
};

// The document to check: the input as it is or, for an HTML page (sniffed
// with --format auto, or --format html), its article as `unspin extract`
// prints it, as scan does: markup and scripts are not prose, and a page may
// come in any charset. Offsets then point into that article.
Result<std::string> DocumentText(const CheckFlags& flags, std::string input) {
  const bool html =
      flags.format == "html" ||
      (flags.format == "auto" && extract::DetectFormat(input) == extract::InputFormat::kHtml);
  if (!html) return input;
  pipeline::ExtractOptions options;
  options.format = extract::InputFormat::kHtml;
  UNSPIN_ASSIGN_OR_RETURN(pipeline::ExtractResult page, pipeline::Extract(input, options));
  std::fprintf(stderr,
               "unspin: %s is an HTML page: checking its article (%zu bytes, as `unspin "
               "extract` prints it; offsets point into it)\n",
               flags.input == "-" ? "the input" : flags.input.c_str(), page.body.size());
  return std::move(page.body);
}

// Each span as [text -> original], coloured when stdout is a terminal.
// Flagged spans (out of place, original unsure) show their guess after "?".
void PrintSpans(const std::vector<pipeline::SpunSpan>& spans, bool color, CheckedOutput& out) {
  for (const pipeline::SpunSpan& span : spans) {
    std::string alternatives;
    for (const std::string& alternative : span.alternatives) {
      alternatives += alternatives.empty() ? " (or: " : ", ";
      alternatives += alternative;
    }
    if (!alternatives.empty()) alternatives += ")";
    // A deleted filler's span includes the space before it; show the word.
    std::string_view text = span.text;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    std::string original = span.original.empty() ? "(delete)" : span.original;
    // A disagreeing article with no candidate that agrees: only the flag.
    if (!span.restored)
      original = span.original == span.text ? "? (the article disagrees)" : "? " + original;
    if (color) {
      out.Printf("  \033[31m%.*s\033[0m -> \033[32m%s\033[0m%s  [bytes %u-%u, score %.2f]\n",
                 static_cast<int>(text.size()), text.data(), original.c_str(), alternatives.c_str(),
                 span.start, span.end, span.score);
    } else {
      out.Printf("  %.*s -> %s%s  [bytes %u-%u, score %.2f]\n", static_cast<int>(text.size()),
                 text.data(), original.c_str(), alternatives.c_str(), span.start, span.end,
                 span.score);
    }
  }
}

void PrintForPeople(const pipeline::CheckResult& result, bool color, CheckedOutput& out) {
  if (result.verdict != pipeline::Verdict::kJudged) {
    // A phrase checked alone still shows the words that are clearly out of place.
    out.Printf("no verdict: %s (%u words)%s\n",
               std::string(pipeline::VerdictName(result.verdict)).c_str(), result.words,
               result.spans.empty() ? "" : "; out of place:");
    PrintSpans(result.spans, color, out);
    return;
  }
  const double p = result.spun_probability;
  const auto flagged = std::ranges::count_if(
      result.spans, [](const pipeline::SpunSpan& span) { return !span.restored; });
  // Spans below the line: evidence the verdict weighs, not enough to call.
  const char* label = p >= 0.5 ? "SPUN" : result.spans.empty() ? "not spun" : "possibly spun";
  out.Printf("%s (spun probability %.2f, %zu suspicious span%s in %u words", label, p,
             result.spans.size(), result.spans.size() == 1 ? "" : "s", result.words);
  if (flagged > 0) out.Printf("; %td flagged, not restored", flagged);
  out.Printf(")\n");
  if (p >= 0.5 && static_cast<size_t>(flagged) == result.spans.size()) {
    out.Printf(
        "  the evidence is diffuse: no single word is sure enough to restore, but these fit\n"
        "  their context far worse than a synonym does\n");
  }
  PrintSpans(result.spans, color, out);
}

// One JSON line of the counts the verdict is computed from (DetectorInputs).
std::string FeaturesJson(const pipeline::CheckResult& result) {
  const pipeline::DetectorFeatures& f = result.features;
  char line[512];  // the longest line (every number at its widest) is about 380
  std::snprintf(line, sizeof line,
                "{\"words\":%u,\"spans\":%u,\"evidence\":%.4f,\"soft_evidence\":%.4f,"
                "\"quoted_words\":%u,\"quoted_soft_evidence\":%.4f,\"article_disagreements\":%u,"
                "\"eligible_words\":%u,\"gain_at_least\":[%u,%u,%u,%u,%u],"
                "\"lower_case_words\":%u,\"unknown_lower_case_words\":%u}",
                result.words, f.spans, f.evidence, f.soft_evidence, f.quoted_words,
                f.quoted_soft_evidence, f.article_disagreements, f.eligible_words,
                f.gain_at_least[0], f.gain_at_least[1], f.gain_at_least[2], f.gain_at_least[3],
                f.gain_at_least[4], f.lower_case_words, f.unknown_lower_case_words);
  return line;
}

// Archived documents aligned with the text whose wording restore --index
// takes by vote (source::RestoreByVote).
constexpr size_t kMaxWitnesses = 5;

// restore --index: the text's wording as voted by the archive's documents that
// align with it, the text's own wording included. Two documents or more are
// weighed by how much each text differs from the others
// (source::WeighByAgreement: a source changed nothing, each spun copy its own
// share); a single one is taken when the model finds it more original than
// the text (a source), not otherwise (a spun sibling). When no document
// aligns with the text, or only a spun one, the model restores it alone.
int RestoreFromArchive(const CheckFlags& flags, std::string_view input, std::string* restored) {
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, flags.index, &loaded); code != kExitOk) return code;
  source::FindOptions options;
  options.max_matches = kMaxWitnesses;
  const source::Finder finder(*loaded.index, *loaded.classes, options);
  Result<std::vector<source::Match>> matches = finder.Find(input);
  if (!matches.ok()) {
    return Fail(matches.status(), matches.status().code() == StatusCode::kCorruption
                                      ? Origin::kModel
                                      : Origin::kInput);
  }
  // The model's restoration: the whole answer when no document aligns, else
  // it fills in where none speaks.
  const pipeline::Checker checker(*loaded.model, flags.options);
  Result<pipeline::CheckResult> own = pipeline::CheckInWindows(checker, input);
  if (!own.ok()) return Fail(own.status(), Origin::kInput);
  auto restore_with_model = [&] {
    pipeline::ForEachRestoredPiece(input, own->spans,
                                   [&](std::string_view piece) { restored->append(piece); });
  };
  if (matches->empty()) {
    std::fprintf(stderr, "unspin: no source in the index; restored with the model\n");
    restore_with_model();
    return kExitOk;
  }
  std::vector<source::Replacement> fallback;
  for (const pipeline::SpunSpan& span : own->spans) {
    fallback.push_back({span.start, span.end, span.original});
  }
  std::vector<source::Witness> witnesses;
  double query_weight = 0;
  if (matches->size() >= 2) {
    const source::VoteWeights weights = source::WeighByAgreement(*loaded.classes, *matches);
    query_weight = weights.query;
    std::fprintf(stderr, "unspin: the text changed about %.0f%% of its words\n",
                 100 * weights.query_rate);
    for (size_t i = 0; i < matches->size(); ++i) {
      const source::Match& match = (*matches)[i];
      witnesses.push_back({&match, weights.witnesses[i]});
      std::fprintf(stderr,
                   "unspin: restoring from %.*s (score %.2f, coverage %.2f, changed about "
                   "%.0f%%)\n",
                   static_cast<int>(match.id.size()), match.id.data(), match.alignment.score,
                   match.alignment.coverage, 100 * weights.witness_rates[i]);
    }
  } else {
    const source::Match& match = matches->front();
    Result<pipeline::CheckResult> theirs = checker.Check(match.source_text);
    if (!theirs.ok()) return Fail(theirs.status(), Origin::kModel);
    const bool source = theirs->spun_probability < own->spun_probability;
    std::fprintf(stderr, "unspin: %s %.*s (score %.2f, coverage %.2f, spun %.2f against %.2f)\n",
                 source ? "restoring from" : "not restoring from a copy that reads as spun,",
                 static_cast<int>(match.id.size()), match.id.data(), match.alignment.score,
                 match.alignment.coverage, theirs->spun_probability, own->spun_probability);
    if (!source) {
      restore_with_model();
      return kExitOk;
    }
    witnesses.push_back({&match, 1.0});
  }
  *restored = source::RestoreByVote(input, query_weight, witnesses, fallback);
  return kExitOk;
}

// The JSON object that stands in for a line --lines cannot check.
std::string LineErrorJson(const Status& error, uint64_t line_number) {
  nlohmann::ordered_json json;
  json["error"] = error.ToString();
  json["line"] = line_number;
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The result of a check as the flags ask for it: the restored text, the
// detector's inputs, JSON (`json`: --json, and always with --lines) or the
// report for people. The restored text is written as it is made from `text`
// and the spans, never held whole.
void WriteResult(const pipeline::CheckResult& result, std::string_view text,
                 const CheckFlags& flags, bool restore_only, bool json, CheckedOutput& out) {
  auto write = [&out](std::string_view piece) { out.Write(piece); };
  if (restore_only) {
    pipeline::ForEachRestoredPiece(text, result.spans, write);
  } else if (flags.features) {
    out.Write(FeaturesJson(result));
  } else if (json) {
    pipeline::WriteCheckResultJson(result, text, write);
  } else {
    PrintForPeople(result, ::isatty(STDOUT_FILENO) == 1, out);
  }
}

// --lines: each line is its own document, one output line per input line. A
// line that cannot be checked (invalid UTF-8) does not stop the batch: JSON
// output gets {"error", "line"} in its place, restore prints it as written and
// says so on stderr; the exit code is then the first such error's (2).
int CheckLines(const pipeline::Checker& checker, std::string_view input, const CheckFlags& flags,
               bool restore_only) {
  CheckedOutput& out = StandardOutput();
  std::string_view rest = input;
  uint64_t line_number = 0;
  uint64_t failed_lines = 0;
  Status first_error = Status::Ok();
  while (!rest.empty()) {
    ++line_number;
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    Result<pipeline::CheckResult> result = pipeline::CheckInWindows(checker, line);
    if (!result.ok()) {
      ++failed_lines;
      const Status error = result.status().WithContext("line " + std::to_string(line_number));
      if (first_error.ok()) first_error = error;
      if (restore_only) {
        std::fprintf(stderr, "unspin: %s; printed as written\n", error.ToString().c_str());
        out.Write(line);
      } else {
        out.Write(LineErrorJson(result.status(), line_number));
      }
    } else {
      WriteResult(*result, line, flags, restore_only, /*json=*/true, out);
    }
    if (!out.Write("\n")) return kExitIO;
  }
  if (failed_lines == 0) return kExitOk;
  std::fprintf(stderr, "unspin: %llu of %llu lines could not be checked (the first: %s)\n",
               static_cast<unsigned long long>(failed_lines),
               static_cast<unsigned long long>(line_number), first_error.ToString().c_str());
  return ExitCodeFor(first_error, Origin::kInput);
}

int RunCheck(const CheckFlags& flags, bool restore_only) {
  if (flags.lines && flags.format == "html") {
    std::fprintf(stderr, "unspin: --lines reads lines of text, not HTML pages\n");
    return kExitUsage;
  }
  Result<std::string> input = ReadFileOrStdin(flags.input, kMaxTextInputBytes);
  if (!input.ok()) return Fail(input.status(), Origin::kInput);
  if (!flags.lines) {
    input = DocumentText(flags, *std::move(input));
    if (!input.ok()) return Fail(input.status(), Origin::kInput);
  }
  CheckedOutput& out = StandardOutput();
  if (restore_only && !flags.index.empty()) {
    if (flags.lines) {
      std::fprintf(stderr, "unspin: restore --index takes one document, not --lines\n");
      return kExitUsage;
    }
    std::string restored;
    if (int code = RestoreFromArchive(flags, *input, &restored); code != kExitOk) return code;
    out.Write(restored);
    return kExitOk;
  }
  int exit_code = kExitOk;
  std::unique_ptr<model::Model> model = LoadModel(flags.model, &exit_code);
  if (!model) return exit_code;
  pipeline::Checker checker(*model, flags.options);
  if (flags.lines) return CheckLines(checker, *input, flags, restore_only);

  // A long text is checked window by window: the checker's memory is one
  // window's, whatever the length.
  Result<pipeline::CheckResult> result = pipeline::CheckInWindows(checker, *input);
  if (!result.ok()) return Fail(result.status(), Origin::kInput);
  if (result->verdict != pipeline::Verdict::kJudged && !flags.features && !restore_only) {
    std::fprintf(stderr, "unspin: no verdict: %s\n",
                 std::string(pipeline::VerdictName(result->verdict)).c_str());
  }
  WriteResult(*result, *input, flags, restore_only, flags.json, out);
  if (!restore_only && (flags.features || flags.json)) out.Write("\n");
  return kExitOk;
}

void AddFormatOption(CLI::App* command, CheckFlags* flags) {
  command
      ->add_option("--format", flags->format,
                   "input format: auto (an HTML page is checked by its article), text or html")
      ->check(CLI::IsMember({"auto", "text", "html"}))
      ->capture_default_str();
}

}  // namespace

void RegisterCheck(CLI::App& app, Action* action) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = app.add_subcommand(
      "check", "Say whether a text is spun, show the spans that give it away, restore them");
  check->add_option("input", flags->input, "text file to check, or - for standard input")
      ->capture_default_str();
  check->add_option("--model", flags->model, "model file (default: $UNSPIN_MODEL or the built-in)");
  check->add_flag("--json", flags->json,
                  "print one JSON object: spun_probability, spans, restored, debris");
  AddCheckerOptions(check, &flags->options);
  check->add_flag("--features", flags->features,
                  "print the detector's inputs (words, spans, evidence, soft_evidence, "
                  "quoted_words, quoted_soft_evidence, article_disagreements) as JSON "
                  "instead of the result; for calibration");
  check->add_flag("--lines", flags->lines,
                  "treat each input line as its own document; one JSON object per line");
  AddFormatOption(check, flags.get());
  check->callback([flags, action] { *action = [flags] { return RunCheck(*flags, false); }; });
}

void RegisterRestore(CLI::App& app, Action* action) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* restore = app.add_subcommand("restore", "Print the text with its spun spans restored");
  restore->add_option("input", flags->input, "text file, or - for standard input")
      ->capture_default_str();
  restore->add_option("--model", flags->model,
                      "model file (default: $UNSPIN_MODEL or the built-in)");
  AddCheckerOptions(restore, &flags->options);
  restore->add_flag("--lines", flags->lines, "restore each input line as its own document");
  AddFormatOption(restore, flags.get());
  restore->add_option("--index", flags->index,
                      "source index (unspin index build): when it holds the text's source, "
                      "take the original wording from it");
  restore->callback([flags, action] { *action = [flags] { return RunCheck(*flags, true); }; });
}

}  // namespace unspin::cli
