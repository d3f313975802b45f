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
  int stop_code = kExitOk;
  const Status stop = InternalError("stopped");
  bool first = true;
  Status read = ForEachRecord(
      flags.input, flags.format,
      [&](Record& record) -> Status {
        Result<pipeline::ExtractResult> result =
            record.doc.error.ok() ? ExtractRecord(record.doc)
                                  : Result<pipeline::ExtractResult>(record.doc.error);
        if (!result.ok()) {
          if (!record.many) {
            stop_code = Fail(result.status(), Origin::kInput);
            return stop;
          }
          return ReportSkipped(record, result.status(), &counts);
        }
        ++counts.documents;
        if (flags.json) {
          std::string json = pipeline::ExtractResultToJson(*result);
          if (record.many) json = WithRecordIds(record.doc, json);
          out.Write(json + '\n');
        } else {
          if (record.many)
            out.Write(std::string(first ? "" : "\n") + "==> " + record.doc.id + " <==\n");
          out.Write(result->body);
        }
        first = false;
        return out.ok() ? Status::Ok() : stop;
      },
      &counts);
  if (stop_code != kExitOk) return stop_code;
  if (!out.ok()) return kExitIO;
  if (!read.ok()) return Fail(read, Origin::kInput);
  return counts.rejected > 0 ? kExitBadInput : kExitOk;
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
