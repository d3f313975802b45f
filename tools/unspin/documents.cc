#include "documents.h"

#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "unspin/base/file.h"

namespace unspin::cli {
namespace {

std::string Location(const std::string& path, extract::InputFormat format,
                     const extract::Document& doc) {
  switch (format) {
    case extract::InputFormat::kJsonl:
      return path + ":" + std::to_string(doc.record + 1);
    case extract::InputFormat::kWarc:
      return path + ": record " + std::to_string(doc.record);
    case extract::InputFormat::kText:
    case extract::InputFormat::kHtml:
      break;
  }
  return path == "-" ? "the input" : path;
}

}  // namespace

void AddInputFormatOption(CLI::App* command, std::string* format) {
  command
      ->add_option("--format", *format,
                   "input format: auto (detected), text, html (checked by its article), jsonl "
                   "({\"id\"|\"url\", \"text\"|\"html\"} per line) or warc")
      ->check(CLI::IsMember({"auto", "text", "html", "jsonl", "warc"}))
      ->capture_default_str();
}

Result<std::unique_ptr<extract::RecordReader>> OpenInput(const std::string& path,
                                                         const std::string& format) {
  extract::ReaderOptions options;
  options.report_every_record = true;
  options.max_record_bytes = kMaxTextInputBytes;
  if (format != "auto") {
    UNSPIN_ASSIGN_OR_RETURN(options.format, extract::ParseInputFormat(format));
  }
  struct stat info {};
  if (path != "-" && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
    return extract::RecordReader::Open(path, options);
  }
  // Standard input, a pipe or a FIFO: read whole (a directory fails here, EISDIR).
  UNSPIN_ASSIGN_OR_RETURN(std::string bytes, ReadFileOrStdin(path, kMaxTextInputBytes));
  return extract::RecordReader::FromBytes(std::move(bytes), path, options);
}

Status ForEachRecord(const std::string& path, const std::string& format,
                     const std::function<Status(Record&)>& take, ReadCounts* counts) {
  UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<extract::RecordReader> reader, OpenInput(path, format));
  const extract::InputFormat input_format = reader->format();
  Record record;
  record.many =
      input_format == extract::InputFormat::kJsonl || input_format == extract::InputFormat::kWarc;
  // A file that is one document, over the limit, is refused from its size
  // before it is read: a record with that error, reported as any bad record.
  struct stat info {};
  if (!record.many && path != "-" && ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
      static_cast<uint64_t>(info.st_size) > kMaxTextInputBytes) {
    record.doc = extract::Document();
    record.doc.id = path;
    record.doc.format = input_format;
    record.doc.error =
        TooLargeError("the document", static_cast<uint64_t>(info.st_size), kMaxTextInputBytes);
    record.location = path;
    return take(record);
  }
  for (;;) {
    Result<bool> more = reader->Next(&record.doc);
    if (!more.ok()) return more.status().WithContext(path == "-" ? "the input" : path);
    if (!*more) break;
    record.location = Location(path, input_format, record.doc);
    UNSPIN_RETURN_IF_ERROR(take(record));
  }
  // A WARC record that is not a document by fault (a lying Content-Length,
  // broken HTTP) was skipped by the reader: said here, counted as rejected.
  if (input_format == extract::InputFormat::kWarc) {
    const extract::ReaderStats& stats = reader->stats();
    for (const std::string& warning : stats.warnings) {
      std::fprintf(stderr, "unspin: %s: %s\n", path.c_str(), warning.c_str());
    }
    counts->rejected += stats.skipped[static_cast<size_t>(extract::SkipReason::kMalformed)] +
                        stats.skipped[static_cast<size_t>(extract::SkipReason::kBinary)] +
                        stats.skipped[static_cast<size_t>(extract::SkipReason::kTooLarge)];
  }
  return Status::Ok();
}

Status ReportSkipped(const Record& record, const Status& why, ReadCounts* counts) {
  std::fprintf(stderr, "unspin: %s: %s (skipped)\n", record.location.c_str(),
               why.message().c_str());
  ++counts->rejected;
  return Status::Ok();
}

std::string RecordIdsHead(const extract::Document& doc) {
  nlohmann::ordered_json ids;
  if (!doc.id_is_url) ids["id"] = doc.id;
  if (!doc.url.empty()) ids["url"] = doc.url;
  if (ids.empty()) return "{";
  std::string head = ids.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  head.back() = ',';  // the object goes on: {"id", ["url",] ...
  return head;
}

std::string WithRecordIds(const extract::Document& doc, std::string_view object) {
  std::string line = RecordIdsHead(doc);
  if (object.size() > 2) return line.append(object.substr(1));
  if (line.back() == ',') line.pop_back();
  return line + '}';
}

void RecordAnswers::Heading(const Record& record) {
  if (record.many) {
    StandardOutput().Write(std::string(first_ ? "" : "\n") + "==> " + record.doc.id + " <==\n");
  }
  first_ = false;
}

Status RecordAnswers::Stop(int exit_code) {
  stop_code_ = exit_code;
  return InternalError("stopped");  // never reported: stop_code_ says what happened
}

Status RecordAnswers::Next() { return StandardOutput().ok() ? Status::Ok() : Stop(kExitIO); }

int RecordAnswers::ExitCode(const Status& read, const ReadCounts& counts, int done) const {
  if (stop_code_ != kExitOk) return stop_code_;
  if (!read.ok()) return Fail(read, Origin::kInput);
  if (counts.rejected == 0) return done;
  std::fprintf(stderr, "unspin: %llu of %llu records skipped (reported above)\n",
               static_cast<unsigned long long>(counts.rejected),
               static_cast<unsigned long long>(counts.rejected + counts.documents));
  return kExitBadInput;
}

Result<std::string> ArticleText(const extract::Document& doc) {
  if (doc.format != extract::InputFormat::kHtml) return doc.content;
  UNSPIN_ASSIGN_OR_RETURN(pipeline::ExtractResult page, pipeline::ExtractDocument(doc));
  return std::move(page.body);
}

Result<source::IndexDocument> ToIndexDocument(extract::Document* doc) {
  UNSPIN_RETURN_IF_ERROR(doc->error);
  source::IndexDocument document;
  if (doc->format == extract::InputFormat::kHtml) {
    UNSPIN_ASSIGN_OR_RETURN(document.text, ArticleText(*doc));
  } else {
    document.text = std::move(doc->content);
  }
  document.id = std::move(doc->id);
  document.metadata = std::move(doc->metadata);
  return document;
}

Result<source::IndexDocument> JsonToIndexDocument(std::string json, std::string name) {
  extract::ReaderOptions options;
  options.format = extract::InputFormat::kJsonl;
  options.report_every_record = true;
  json.push_back('\n');
  UNSPIN_ASSIGN_OR_RETURN(
      std::unique_ptr<extract::RecordReader> reader,
      extract::RecordReader::FromBytes(std::move(json), std::move(name), options));
  extract::Document doc;
  UNSPIN_ASSIGN_OR_RETURN(bool read, reader->Next(&doc));
  if (!read) return InvalidArgumentError("not a document");
  return ToIndexDocument(&doc);
}

}  // namespace unspin::cli
