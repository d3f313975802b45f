// unspin check / unspin restore.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "archive_restore.h"
#include "check_view.h"
#include "cli.h"
#include "documents.h"
#include "unspin/base/file.h"
#include "unspin/extract/format.h"
#include "unspin/pipeline/check.h"
#include "unspin/pipeline/check_windows.h"
#include "unspin/pipeline/extract.h"

namespace unspin::cli {
namespace {

struct CheckFlags {
  std::string input = "-";
  std::string model;
  bool json = false;
  bool lines = false;
  bool features = false;
  std::string index;            // restore: take the wording from this archive's source, when found
  std::string format = "auto";  // auto, text, html, jsonl or warc
  std::string color = "auto";   // auto, always or never
  std::string html_report;      // check --html: write the page's view of the result here
  std::string channel;          // a learned table (TSV) put beside the model's channel
  pipeline::CheckOptions options;
};

void AddChannelOption(CLI::App* command, CheckFlags* flags) {
  command->add_option("--channel", flags->channel,
                      "a learned channel table (TSV from `unspin channel learn`, with or "
                      "without --unsupervised) to propose originals from, beside the model's");
}

// The text to check of one record: a text record as it is or, for an HTML
// page, its article as `unspin extract` prints it, as scan does: markup and
// scripts are not prose, and a page may come in any charset. Offsets then
// point into that article. *page_debris gets the page's debris lines (JSON
// objects as `extract --json` gives them), which the article leaves out, and
// *extracted the whole extraction (for check --html).
Result<std::string_view> TextToCheck(const Record& record, nlohmann::ordered_json* page_debris,
                                     std::optional<pipeline::ExtractResult>* extracted) {
  if (record.doc.format != extract::InputFormat::kHtml) return std::string_view(record.doc.content);
  UNSPIN_ASSIGN_OR_RETURN(*extracted, pipeline::ExtractDocument(record.doc));
  const pipeline::ExtractResult& page = **extracted;
  if (!record.many) {
    std::fprintf(stderr,
                 "unspin: %s is an HTML page: checking its article (%zu bytes, as `unspin "
                 "extract` prints it; offsets point into it)\n",
                 record.location.c_str(), page.body.size());
  }
  *page_debris = nlohmann::ordered_json::array();
  for (size_t i = 0; i < page.lines.size(); ++i) {
    const extract::Line& line = page.lines[i];
    if (!extract::IsDebris(line.kind)) continue;
    nlohmann::ordered_json entry;
    entry["start"] = line.start;
    entry["end"] = line.end;
    entry["kind"] = extract::LineKindName(line.kind);
    entry["source_start"] = i < page.source_offsets.size() ? page.source_offsets[i] : 0;
    entry["text"] = std::string_view(page.text).substr(line.start, line.end - line.start);
    page_debris->push_back(std::move(entry));
  }
  return std::string_view(page.body);
}

// check --html: the web page's view of the result, as a file that needs no
// server (check_view.h), written atomically.
int WriteHtmlReport(const CheckFlags& flags, std::string_view text,
                    const pipeline::CheckResult& result,
                    const std::optional<pipeline::ExtractResult>& page) {
  const std::string html = HtmlReport(flags.input == "-" ? "standard input" : flags.input, text,
                                      CheckViewJson(result, page ? &*page : nullptr));
  AtomicFileWriter file;
  Status written = file.Open(flags.html_report);
  if (written.ok()) written = file.Append(html);
  if (written.ok()) written = file.Commit();
  if (!written.ok()) return Fail(written, Origin::kInput);
  return kExitOk;
}

// --color: always, never, or auto: on a terminal unless $NO_COLOR is set
// (and not empty, https://no-color.org).
bool UseColor(const std::string& flag) {
  if (flag == "always") return true;
  if (flag == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

// Each span as [text -> original], coloured with --color.
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
                "\"lower_case_words\":%u,\"unknown_lower_case_words\":%u,\"english_marker_words\":%"
                "u,\"foreign_marker_words\":%u}",
                result.words, f.spans, f.evidence, f.soft_evidence, f.quoted_words,
                f.quoted_soft_evidence, f.article_disagreements, f.eligible_words,
                f.gain_at_least[0], f.gain_at_least[1], f.gain_at_least[2], f.gain_at_least[3],
                f.gain_at_least[4], f.lower_case_words, f.unknown_lower_case_words,
                f.english_marker_words, f.foreign_marker_words);
  return line;
}

// restore --index: the wording voted by the archive's documents that align
// with the text (archive_restore.h); what was done goes to stderr.
int RestoreWithIndex(const LoadedIndex& loaded, const pipeline::Checker& checker,
                     std::string_view input, std::string* restored) {
  Result<ArchiveRestoration> result =
      RestoreFromArchive(checker, *loaded.index, *loaded.classes, input);
  if (!result.ok()) {
    return Fail(result.status(), result.status().code() == StatusCode::kCorruption
                                     ? Origin::kModel
                                     : Origin::kInput);
  }
  for (const std::string& note : result->notes) std::fprintf(stderr, "unspin: %s\n", note.c_str());
  *restored = std::move(result->text);
  return kExitOk;
}

// The JSON object that stands in for a line --lines cannot check.
std::string LineErrorJson(const Status& error, uint64_t line_number) {
  nlohmann::ordered_json json;
  json["error"] = error.ToString();
  json["line"] = line_number;
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// --lines: each line is its own document, one output line per input line. A
// line that cannot be checked (invalid UTF-8) does not stop the batch: JSON
// output (check, restore --json: {"restored"} per line) gets {"error",
// "line"} in its place, restore prints it as written and says so on stderr;
// the exit code is then the first such error's (2).
int CheckLines(const pipeline::Checker& checker, std::string_view input, const CheckFlags& flags,
               bool restore_only) {
  CheckedOutput& out = StandardOutput();
  std::string_view rest = input;
  uint64_t line_number = 0;
  uint64_t failed_lines = 0;
  Status first_error = Status::Ok();
  std::string text;
  while (!rest.empty()) {
    ++line_number;
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    Result<pipeline::CheckResult> result = pipeline::CheckInWindowsRestored(checker, line);
    if (!result.ok()) {
      ++failed_lines;
      const Status error = result.status().WithContext("line " + std::to_string(line_number));
      if (first_error.ok()) first_error = error;
      if (restore_only && !flags.json) {
        std::fprintf(stderr, "unspin: %s; printed as written\n", error.ToString().c_str());
        text = line;
      } else {
        text = LineErrorJson(result.status(), line_number);
      }
    } else if (restore_only && flags.json) {
      nlohmann::ordered_json json;
      json["restored"] = std::move(result->restored);
      text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else if (restore_only) {
      text = std::move(result->restored);
    } else if (flags.features) {
      text = FeaturesJson(*result);
    } else {
      text = pipeline::CheckResultToJson(*result);
    }
    text += '\n';
    if (!out.Write(text)) return kExitIO;
  }
  if (failed_lines == 0) return kExitOk;
  std::fprintf(stderr, "unspin: %llu of %llu lines could not be checked (the first: %s)\n",
               static_cast<unsigned long long>(failed_lines),
               static_cast<unsigned long long>(line_number), first_error.ToString().c_str());
  return ExitCodeFor(first_error, Origin::kInput);
}

// What check --json, check --features and restore print for one record,
// written in pieces: the restored text of a long input is made from `text`
// and the spans as it is written (ForEachRestoredPiece), never held whole
// (issue 17, item 9). `archive_wording` is restore --index's text, else
// null. A page's JSON, whose debris is the page's (small: one page), is
// made whole.
void WriteAnswer(const CheckFlags& flags, bool restore_only, const Record& record,
                 const pipeline::CheckResult& result, std::string_view text,
                 const std::string* archive_wording, const nlohmann::ordered_json& page_debris,
                 CheckedOutput& out) {
  char last = '\n';
  auto write = [&](std::string_view piece) {
    if (!piece.empty()) last = piece.back();
    out.Write(piece);
  };
  // Opens the object: a record of many starts with its "id" / "url".
  const std::string head = record.many ? RecordIdsHead(record.doc) : "{";
  if (restore_only && !flags.json) {
    if (archive_wording != nullptr) {
      write(*archive_wording);
    } else {
      pipeline::ForEachRestoredPiece(text, result.spans, write);
    }
    if (record.many && last != '\n') write("\n");
  } else if (restore_only) {
    write(head + "\"restored\":");
    if (archive_wording != nullptr) {
      write(nlohmann::ordered_json(*archive_wording)
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else {
      pipeline::WriteRestoredJsonString(text, result.spans, write);
    }
    write("}\n");
  } else if (flags.features) {
    const std::string features = FeaturesJson(result);
    write((record.many ? WithRecordIds(record.doc, features) : features) + '\n');
  } else if (page_debris.is_null()) {
    bool opened = false;
    pipeline::WriteCheckResultJson(result, text, [&](std::string_view piece) {
      if (!opened) {
        write(head);
        piece.remove_prefix(1);  // the result's own '{'
        opened = true;
      }
      write(piece);
    });
    write("\n");
  } else {
    std::string restored;
    pipeline::ForEachRestoredPiece(text, result.spans,
                                   [&](std::string_view piece) { restored.append(piece); });
    nlohmann::ordered_json object =
        nlohmann::ordered_json::parse(pipeline::CheckResultToJson(result));
    object["restored"] = std::move(restored);
    object["debris"] = page_debris;
    const std::string json = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    write((record.many ? WithRecordIds(record.doc, json) : json) + '\n');
  }
}

// check and restore: each record of the input on its own (docs/input.md). A
// file of many records (JSONL, WARC) gets one answer per record, in order:
// with --json one JSON line carrying the record's "id" (or "url"), else its
// answer under a "==> id <==" line. A record that cannot be read or checked
// is reported on stderr and skipped (check --json puts {"id", "error",
// "location"} in its place), and the exit code is 2 at the end.
int RunCheck(const CheckFlags& flags, bool restore_only) {
  if (flags.lines && flags.format != "auto" && flags.format != "text") {
    std::fprintf(stderr, "unspin: --lines reads lines of text, not --format %s\n",
                 flags.format.c_str());
    return kExitUsage;
  }
  if (!flags.html_report.empty() &&
      (flags.lines || flags.format == "jsonl" || flags.format == "warc")) {
    std::fprintf(stderr, "unspin: --html reports one document, not --lines or a file of records\n");
    return kExitUsage;
  }
  if (OutputIsAnInput("--html", flags.html_report, {flags.input})) return kExitUsage;
  if (flags.lines && restore_only && !flags.index.empty()) {
    std::fprintf(stderr, "unspin: restore --index takes whole documents, not --lines\n");
    return kExitUsage;
  }
  // With --index the model comes with the index (same classes).
  LoadedIndex loaded;
  if (restore_only && !flags.index.empty()) {
    if (int code = LoadIndex(flags.model, flags.index, &loaded); code != kExitOk) return code;
  } else {
    int exit_code = kExitOk;
    loaded.model = LoadModel(flags.model, &exit_code);
    if (!loaded.model) return exit_code;
  }
  if (!flags.channel.empty()) {
    Result<channel::ChannelTableBuilder> table = model::ReadChannelTable(flags.channel);
    if (!table.ok()) return Fail(table.status(), Origin::kInput);
    loaded.model->AddChannel(std::move(*table));
  }
  pipeline::Checker checker(*loaded.model, flags.options);
  if (flags.lines) {
    Result<std::string> input = ReadFileOrStdin(flags.input, kMaxTextInputBytes);
    if (!input.ok()) return Fail(input.status(), Origin::kInput);
    return CheckLines(checker, *input, flags, restore_only);
  }
  CheckedOutput& out = StandardOutput();
  const bool color = UseColor(flags.color);
  ReadCounts counts;
  RecordAnswers answers;
  Status read = ForEachRecord(
      flags.input, flags.format,
      [&](Record& record) -> Status {
        // A record's failure: the whole answer for a single document, one
        // reported record among the others for many.
        auto skip = [&](const Status& error) -> Status {
          if (!record.many) return answers.Stop(Fail(error, Origin::kInput));
          if (flags.json && !restore_only) {
            nlohmann::ordered_json json;
            json["error"] = error.ToString();
            json["location"] = record.location;
            out.Write(
                WithRecordIds(record.doc,
                              json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
                '\n');
          }
          return ReportSkipped(record, error, &counts);
        };
        // A file found to hold records (no --format said so): one report
        // per record would each replace the last.
        if (!flags.html_report.empty() && record.many) {
          std::fprintf(stderr, "unspin: --html reports one document, and %s holds records\n",
                       flags.input.c_str());
          return answers.Stop(kExitUsage);
        }
        if (!record.doc.error.ok()) return skip(record.doc.error);
        nlohmann::ordered_json page_debris;
        std::optional<pipeline::ExtractResult> page;
        Result<std::string_view> text = TextToCheck(record, &page_debris, &page);
        if (!text.ok()) return skip(text.status());
        Result<pipeline::CheckResult> result = pipeline::CheckInWindows(checker, *text);
        if (!result.ok()) return skip(result.status());
        ++counts.documents;
        if (result->verdict != pipeline::Verdict::kJudged && !flags.features && !restore_only) {
          std::fprintf(stderr, "unspin: %s%sno verdict: %s\n",
                       record.many ? record.location.c_str() : "", record.many ? ": " : "",
                       std::string(pipeline::VerdictName(result->verdict)).c_str());
        }
        std::optional<std::string> archive_wording;
        if (restore_only && !flags.index.empty()) {
          archive_wording.emplace();
          if (int code = RestoreWithIndex(loaded, checker, *text, &*archive_wording);
              code != kExitOk) {
            return answers.Stop(code);
          }
        }
        if (record.many && !flags.json && !flags.features) answers.Heading(record);
        if (!restore_only && !flags.json && !flags.features) {
          PrintForPeople(*result, color, out);
        } else {
          WriteAnswer(flags, restore_only, record, *result, *text,
                      archive_wording ? &*archive_wording : nullptr, page_debris, out);
        }
        if (!flags.html_report.empty()) {
          // The report's page shows the restored text: one document, held whole.
          pipeline::ForEachRestoredPiece(*text, result->spans, [&](std::string_view piece) {
            result->restored.append(piece);
          });
          if (int code = WriteHtmlReport(flags, *text, *result, page); code != kExitOk) {
            return answers.Stop(code);
          }
        }
        return answers.Next();
      },
      &counts);
  return answers.ExitCode(read, counts);
}

void AddColorOption(CLI::App* command, CheckFlags* flags) {
  command
      ->add_option("--color", flags->color,
                   "colour the spans: auto (on a terminal, unless $NO_COLOR is set), always or "
                   "never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

}  // namespace

void RegisterCheck(CLI::App& app, Action* action) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = app.add_subcommand(
      "check", "Say whether a text is spun, show the spans that give it away, restore them");
  check
      ->add_option("input", flags->input,
                   "text, HTML, JSONL or WARC file to check, or - for standard input")
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
  check->add_option("--html", flags->html_report,
                    "also write the result as a standalone HTML page (the web page's view of "
                    "it: inline style and script, nothing fetched) to this file");
  AddInputFormatOption(check, &flags->format);
  AddColorOption(check, flags.get());
  AddChannelOption(check, flags.get());
  check->callback([flags, action] { *action = [flags] { return RunCheck(*flags, false); }; });
}

void RegisterRestore(CLI::App& app, Action* action) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* restore = app.add_subcommand("restore", "Print the text with its spun spans restored");
  restore
      ->add_option("input", flags->input, "text, HTML, JSONL or WARC file, or - for standard input")
      ->capture_default_str();
  restore->add_option("--model", flags->model,
                      "model file (default: $UNSPIN_MODEL or the built-in)");
  AddCheckerOptions(restore, &flags->options);
  AddChannelOption(restore, flags.get());
  restore->add_flag("--lines", flags->lines, "restore each input line as its own document");
  AddInputFormatOption(restore, &flags->format);
  restore->add_flag("--json", flags->json,
                    "print one JSON line {\"id\"|\"url\", \"restored\"} per record");
  restore->add_option("--index", flags->index,
                      "source index (unspin index build): when it holds the text's source, "
                      "take the original wording from it");
  restore->callback([flags, action] { *action = [flags] { return RunCheck(*flags, true); }; });
}

}  // namespace unspin::cli
