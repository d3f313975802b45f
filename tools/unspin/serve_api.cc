#include "serve_api.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>
#include <utility>

#include "archive_restore.h"
#include "check_view.h"
#include "cli.h"
#include "documents.h"
#include "unspin/base/json_depth.h"
#include "unspin/extract/format.h"
#include "unspin/pipeline/check_windows.h"
#include "unspin/pipeline/extract.h"
#include "unspin/source/find.h"

namespace unspin::cli::serve {
namespace {

using Json = nlohmann::ordered_json;

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The body as a JSON object whose fields are all in `allowed`, or the 400
// that says why not (invalid JSON with its byte offset, not an object, an
// unknown field: a misspelt option is refused rather than ignored).
std::optional<ApiResponse> ParseObject(std::string_view body,
                                       std::initializer_list<std::string_view> allowed,
                                       Json* object) {
  if (Status depth = CheckJsonDepth(body); !depth.ok()) {
    return ErrorResponse(400, "invalid_json", depth.message());
  }
  try {
    *object = Json::parse(body);
  } catch (const Json::parse_error& error) {
    // nlohmann counts bytes from 1; offsets here count from 0.
    const size_t offset = error.byte == 0 ? 0 : error.byte - 1;
    return ErrorResponse(
        400, "invalid_json",
        "the body is not valid JSON (at byte " + std::to_string(offset) + "): " + error.what());
  }
  if (!object->is_object()) {
    return ErrorResponse(400, "invalid_argument", "the body must be a JSON object");
  }
  std::string names;
  for (std::string_view name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
  for (const auto& [key, value] : object->items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) {
      return ErrorResponse(400, "invalid_argument",
                           "unknown field \"" + key + "\"; the fields are " + names);
    }
  }
  return std::nullopt;
}

// Reads the optional number field `name` into *value when it lies in `range`.
std::optional<ApiResponse> ReadNumber(const Json& object, const char* name,
                                      pipeline::OptionRange range, double* value) {
  auto field = object.find(name);
  if (field == object.end()) return std::nullopt;
  if (!field->is_number() || field->get<double>() < range.min || field->get<double>() > range.max) {
    return ErrorResponse(400, "invalid_argument",
                         std::string("\"") + name + "\" must be a number from " +
                             PlainNumber(range.min) + " to " + PlainNumber(range.max));
  }
  *value = field->get<double>();
  return std::nullopt;
}

// Reads the string field `name`, if present, into *value.
std::optional<ApiResponse> ReadString(const Json& object, const char* name, bool* present,
                                      std::string* value) {
  auto field = object.find(name);
  *present = field != object.end();
  if (!*present) return std::nullopt;
  if (!field->is_string()) {
    return ErrorResponse(400, "invalid_argument", std::string("\"") + name + "\" must be a string");
  }
  *value = field->get<std::string>();
  return std::nullopt;
}

// A document to check or restore: {"text"} or {"html"}, with checker options.
struct DocumentRequest {
  std::string text;
  bool html = false;
  pipeline::CheckOptions options;
};

std::optional<ApiResponse> ParseDocumentRequest(std::string_view body,
                                                const pipeline::CheckOptions& defaults,
                                                DocumentRequest* request) {
  Json object;
  if (auto error = ParseObject(
          body, {"text", "html", "change_cost", "min_spun_probability", "spun_share"}, &object)) {
    return error;
  }
  bool has_text = false;
  bool has_html = false;
  std::string html;
  if (auto error = ReadString(object, "text", &has_text, &request->text)) return error;
  if (auto error = ReadString(object, "html", &has_html, &html)) return error;
  if (has_text == has_html) {
    return ErrorResponse(400, "invalid_argument",
                         "give the document as one of \"text\" (plain text) or \"html\" (a page)");
  }
  if (has_html) {
    request->text = std::move(html);
    request->html = true;
  }
  request->options = defaults;
  if (auto error = ReadNumber(object, "change_cost", pipeline::kChangeCostRange,
                              &request->options.change_cost)) {
    return error;
  }
  if (auto error = ReadNumber(object, "min_spun_probability", pipeline::kMinSpunProbabilityRange,
                              &request->options.min_spun_probability)) {
    return error;
  }
  if (auto error = ReadNumber(object, "spun_share", pipeline::kSpunShareRange,
                              &request->options.spun_share)) {
    return error;
  }
  return std::nullopt;
}

// Parses a check or restore request and, for a page, replaces
// request->text by its article (as `unspin extract` prints it, and `check`
// checks), keeping the extraction in *page. The page came as a JSON string:
// UTF-8, whatever its <meta charset> says. Returns the error response, if any.
std::optional<ApiResponse> ReadDocument(std::string_view body,
                                        const pipeline::CheckOptions& defaults,
                                        DocumentRequest* request,
                                        std::optional<pipeline::ExtractResult>* page) {
  if (auto error = ParseDocumentRequest(body, defaults, request)) return error;
  if (!request->html) return std::nullopt;
  pipeline::ExtractOptions options;
  options.format = extract::InputFormat::kHtml;
  options.charset = "utf-8";
  Result<pipeline::ExtractResult> extracted = pipeline::Extract(request->text, options);
  if (!extracted.ok()) return ErrorResponse(extracted.status());
  request->text = extracted->body;
  *page = *std::move(extracted);
  return std::nullopt;
}

// The documents of a POST /v1/documents body, each read as `unspin index
// add` reads a JSONL line (ParseDocument), or the 400 that says which is not.
std::optional<ApiResponse> ReadIndexDocuments(std::string_view body,
                                              std::vector<source::IndexDocument>* documents) {
  Json object;
  if (auto error = ParseObject(body, {"documents"}, &object)) return error;
  auto list = object.find("documents");
  if (list == object.end() || !list->is_array() || list->empty()) {
    return ErrorResponse(400, "invalid_argument",
                         "\"documents\" must be a non-empty array of {\"id\", \"text\", ...}");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& element = (*list)[i];
    const std::string where = "documents[" + std::to_string(i) + "]";
    if (!element.is_object()) {
      return ErrorResponse(400, "invalid_argument", where + " is not a JSON object");
    }
    Result<source::IndexDocument> document = JsonToIndexDocument(Dump(element), where);
    if (!document.ok()) return ErrorResponse(document.status().WithContext(where));
    documents->push_back(*std::move(document));
  }
  return std::nullopt;
}

// Four decimals, as every score the CLI prints.
double Rounded(double value) { return std::round(value * 1e4) / 1e4; }

ApiResponse NoIndex() {
  return ErrorResponse(501, "no_index",
                       "this server has no source index: start it with `unspin serve --index "
                       "DIR` (an index from `unspin index build`)");
}

}  // namespace

ApiResponse ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  Json json = {{"error", {{"code", code}, {"message", message}}}};
  return {http_status, Dump(json)};
}

ApiResponse ErrorResponse(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return ErrorResponse(400, "invalid_argument", status.message());
    case StatusCode::kResourceExhausted:
      return ErrorResponse(413, "resource_exhausted", status.message());
    case StatusCode::kNotFound:
      return ErrorResponse(404, "not_found", status.message());
    case StatusCode::kCorruption:
    case StatusCode::kVersionMismatch:
      return ErrorResponse(500, "corruption", status.message());
    case StatusCode::kIOError:
      return ErrorResponse(500, "io_error", status.message());
    case StatusCode::kDeadlineExceeded:
      return ErrorResponse(503, "timeout", status.message());
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return ErrorResponse(500, "internal", status.message());
}

Api::Api(const model::Model& model, ServedIndex index, std::string model_path,
         pipeline::CheckOptions defaults, std::chrono::steady_clock::duration check_time_limit)
    : model_(model),
      index_dir_(std::move(index.dir)),
      classes_(index.classes),
      model_path_(std::move(model_path)),
      defaults_(defaults),
      check_time_limit_(check_time_limit),
      default_checker_(model, defaults),
      index_(std::move(index.index)) {}

Result<pipeline::CheckResult> Api::CheckWithinLimit(const pipeline::Checker& checker,
                                                    std::string_view text) const {
  return pipeline::CheckInWindowsRestored(checker, text, pipeline::kDefaultWindowBytes,
                                          std::chrono::steady_clock::now() + check_time_limit_);
}

std::shared_ptr<const source::Index> Api::CurrentIndex() const {
  std::lock_guard lock(index_mutex_);
  return index_;
}

const pipeline::Checker& Api::CheckerFor(const pipeline::CheckOptions& options,
                                         std::optional<pipeline::Checker>* scratch) const {
  if (options == defaults_) return default_checker_;
  return scratch->emplace(model_, options);
}

ApiResponse Api::Check(std::string_view body) const {
  DocumentRequest request;
  std::optional<pipeline::ExtractResult> page;
  if (auto error = ReadDocument(body, defaults_, &request, &page)) return *error;
  std::optional<pipeline::Checker> scratch;
  Result<pipeline::CheckResult> result =
      CheckWithinLimit(CheckerFor(request.options, &scratch), request.text);
  if (!result.ok()) return ErrorResponse(result.status());
  return {200, CheckViewJson(*result, page ? &*page : nullptr)};
}

ApiResponse Api::Restore(std::string_view body) const {
  DocumentRequest request;
  std::optional<pipeline::ExtractResult> page;
  if (auto error = ReadDocument(body, defaults_, &request, &page)) return *error;
  std::optional<pipeline::Checker> scratch;
  const pipeline::Checker& checker = CheckerFor(request.options, &scratch);
  const std::shared_ptr<const source::Index> index = CurrentIndex();
  if (index == nullptr) {
    Result<pipeline::CheckResult> result = CheckWithinLimit(checker, request.text);
    if (!result.ok()) return ErrorResponse(result.status());
    return {200, Dump(Json{{"restored", result->restored}})};
  }
  Result<ArchiveRestoration> restored =
      RestoreFromArchive(checker, *index, *classes_, request.text);
  if (!restored.ok()) return ErrorResponse(restored.status());
  Json sources = Json::array();
  for (const ArchiveSource& source : restored->sources) {
    sources.push_back({{"id", source.id},
                       {"score", Rounded(source.score)},
                       {"coverage", Rounded(source.coverage)},
                       {"weight", Rounded(source.weight)}});
  }
  return {200, Dump(Json{{"restored", restored->text}, {"sources", std::move(sources)}})};
}

ApiResponse Api::Find(std::string_view body) const {
  const std::shared_ptr<const source::Index> index = CurrentIndex();
  if (index == nullptr) return NoIndex();
  Json object;
  if (auto error = ParseObject(body, {"text", "k", "min_score"}, &object)) return *error;
  bool has_text = false;
  std::string text;
  if (auto error = ReadString(object, "text", &has_text, &text)) return *error;
  if (!has_text) return ErrorResponse(400, "invalid_argument", "the field \"text\" is missing");
  source::FindOptions options;
  if (auto k = object.find("k"); k != object.end()) {
    if (!k->is_number_integer() || *k < 1 || *k > 1000) {
      return ErrorResponse(400, "invalid_argument", "\"k\" must be a whole number from 1 to 1000");
    }
    options.max_matches = k->get<size_t>();
  }
  if (auto error = ReadNumber(object, "min_score", {0, 1}, &options.min_score)) return *error;
  options.candidates = std::max(options.candidates, options.max_matches);
  const source::Finder finder(*index, *classes_, options);
  Result<std::vector<source::Match>> matches = finder.Find(text);
  if (!matches.ok()) return ErrorResponse(matches.status());
  return {200, source::MatchesToJson(text, *matches)};
}

ApiResponse Api::AddDocuments(std::string_view body) {
  if (CurrentIndex() == nullptr) return NoIndex();
  std::vector<source::IndexDocument> documents;
  if (auto error = ReadIndexDocuments(body, &documents)) return *error;
  // One writer at a time: the index directory takes one (source::IndexWriter
  // locks it), and the index read here for duplicates must be the last one.
  std::lock_guard write_lock(write_mutex_);
  const std::shared_ptr<const source::Index> before = CurrentIndex();
  std::unordered_set<std::string_view> ids;
  for (const source::IndexDocument& document : documents) {
    if (!ids.insert(document.id).second || before->FindId(document.id)) {
      return ErrorResponse(409, "duplicate_id",
                           "the index already has a document \"" + document.id +
                               "\" (or the request names it twice); nothing was added");
    }
  }
  source::WriterOptions options;
  options.mode = source::WriterOptions::Mode::kAppend;
  Result<std::unique_ptr<source::IndexWriter>> writer =
      source::IndexWriter::Create(index_dir_, *classes_, options);
  if (!writer.ok()) return ErrorResponse(writer.status());
  // An error before Commit destroys the writer, which removes what it wrote:
  // the index stays as it was.
  for (size_t i = 0; i < documents.size(); ++i) {
    Status added = (*writer)->Add(std::move(documents[i]));
    if (!added.ok()) {
      return ErrorResponse(
          added.WithContext("documents[" + std::to_string(i) + "]; nothing was added"));
    }
  }
  const uint64_t added = (*writer)->added();
  if (Status committed = (*writer)->Commit(); !committed.ok()) return ErrorResponse(committed);
  Result<std::unique_ptr<source::Index>> after =
      source::Index::Open(index_dir_, classes_->fingerprint());
  if (!after.ok()) return ErrorResponse(after.status());
  const uint64_t count = (*after)->document_count();
  {
    std::lock_guard lock(index_mutex_);
    index_ = std::shared_ptr<const source::Index>(*std::move(after));
  }
  return {200, Dump(Json{{"added", added}, {"documents", count}})};
}

ApiResponse Api::GetDocument(std::string_view id) const {
  const std::shared_ptr<const source::Index> index = CurrentIndex();
  if (index == nullptr) return NoIndex();
  const std::optional<source::DocumentRef> ref = index->FindId(id);
  if (!ref) {
    return ErrorResponse(404, "not_found", "the index has no document \"" + std::string(id) + "\"");
  }
  if (Status intact = index->CheckDocument(*ref); !intact.ok()) return ErrorResponse(intact);
  const source::StoredDocument document = index->Document(*ref);
  Json metadata = Json::parse(document.metadata, nullptr, /*allow_exceptions=*/false);
  if (!metadata.is_object()) metadata = Json::object();
  return {200, Dump(Json{{"id", document.id}, {"text", document.text}, {"metadata", metadata}})};
}

ApiResponse Api::ModelInfo() const {
  const model::ModelInfo info = model_.Info();
  Json json = {{"model", model_path_},
               {"format_version", info.version},
               {"file_bytes", info.file_bytes},
               {"vocabulary_words", info.vocabulary_words},
               {"thesaurus_entries", info.lexicon.entries},
               {"thesaurus_edges", info.lexicon.edges},
               {"detector", info.calibrated ? "calibrated" : "default"},
               {"lm_order", info.lm_order},
               {"ngram_counts", info.ngram_counts},
               {"channel_phrases", info.channel_phrases},
               {"channel_entries", info.channel_entries},
               {"check_defaults",
                {{"change_cost", defaults_.change_cost},
                 {"min_spun_probability", defaults_.min_spun_probability},
                 {"spun_share", defaults_.spun_share}}}};
  const std::shared_ptr<const source::Index> index = CurrentIndex();
  json["index"] = index == nullptr ? Json(nullptr) : Json{{"documents", index->document_count()}};
  return {200, Dump(json)};
}

ApiResponse Api::Health() const { return {200, R"({"status":"ok"})"}; }

}  // namespace unspin::cli::serve
