// unspin extract: the article of a text or HTML page, without its debris.
#include "cli.h"
#include "documents.h"
#include "unspin/pipeline/extract.h"

namespace unspin::cli {
namespace {

struct ExtractFlags {
  std::string input = "-";
  std::string format = "auto";
  bool json = false;
};

// Each record's article; for many records (JSONL, WARC) under a "==> id <=="
// line, or with --json one line per record carrying its "id" (or "url").
int RunExtract(const ExtractFlags& flags) {
  CheckedOutput& out = StandardOutput();
  ReadCounts counts;
  RecordAnswers answers;
  Status read = ForEachRecord(
      flags.input, flags.format,
      [&](Record& record) -> Status {
        Result<pipeline::ExtractResult> result =
            record.doc.error.ok() ? pipeline::ExtractDocument(record.doc)
                                  : Result<pipeline::ExtractResult>(record.doc.error);
        if (!result.ok()) {
          if (!record.many) return answers.Stop(Fail(result.status(), Origin::kInput));
          return ReportSkipped(record, result.status(), &counts);
        }
        ++counts.documents;
        if (flags.json) {
          std::string json = pipeline::ExtractResultToJson(*result);
          if (record.many) json = WithRecordIds(record.doc, json);
          out.Write(json + '\n');
        } else {
          answers.Heading(record);
          out.Write(result->body);
        }
        return answers.Next();
      },
      &counts);
  return answers.ExitCode(read, counts);
}

}  // namespace

void RegisterExtract(CLI::App& app, Action* action) {
  auto flags = std::make_shared<ExtractFlags>();
  CLI::App* extract = app.add_subcommand(
      "extract", "Print the article (title and body) of a text or HTML page, without page debris");
  extract
      ->add_option("input", flags->input, "text, HTML, JSONL or WARC file, or - for standard input")
      ->capture_default_str();
  AddInputFormatOption(extract, &flags->format);
  extract->add_flag("--json", flags->json,
                    "print one JSON object per document: format, body, lines (start, end, kind)");
  extract->callback([flags, action] { *action = [flags] { return RunExtract(*flags); }; });
}

}  // namespace unspin::cli
