#include "serve_api.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "unspin/base/json_depth.h"
#include "unspin/extract/format.h"
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

// Reads the optional number field `name` into *value when it lies in [low, high].
std::optional<ApiResponse> ReadNumber(const Json& object, const char* name, double low, double high,
                                      double* value) {
  auto field = object.find(name);
  if (field == object.end()) return std::nullopt;
  if (!field->is_number() || field->get<double>() < low || field->get<double>() > high) {
    return ErrorResponse(400, "invalid_argument",
                         std::string("\"") + name + "\" must be a number from " + Dump(Json(low)) +
                             " to " + Dump(Json(high)));
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
  if (auto error =
          ParseObject(body, {"text", "html", "change_cost", "min_spun_probability"}, &object)) {
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
  if (auto error = ReadNumber(object, "change_cost", 0, 100, &request->options.change_cost)) {
    return error;
  }
  if (auto error = ReadNumber(object, "min_spun_probability", 0, 1,
                              &request->options.min_spun_probability)) {
    return error;
  }
  return std::nullopt;
}

// An HTML page's article, as `unspin extract` prints it (and `check` checks).
// The page came as a JSON string: UTF-8, whatever its <meta charset> says.
Result<std::string> Article(std::string_view page) {
  pipeline::ExtractOptions options;
  options.format = extract::InputFormat::kHtml;
  options.charset = "utf-8";
  UNSPIN_ASSIGN_OR_RETURN(pipeline::ExtractResult extracted, pipeline::Extract(page, options));
  return std::move(extracted.body);
}

// What /v1/check and /v1/restore share: the request parsed, an HTML page
// replaced by its article (request->text), and that text checked. Returns
// the error response, if any.
std::optional<ApiResponse> CheckDocument(const model::Model& model,
                                         const pipeline::CheckOptions& defaults,
                                         std::string_view body, DocumentRequest* request,
                                         pipeline::CheckResult* result) {
  if (auto error = ParseDocumentRequest(body, defaults, request)) return error;
  if (request->html) {
    Result<std::string> article = Article(request->text);
    if (!article.ok()) return ErrorResponse(article.status());
    request->text = *std::move(article);
  }
  const pipeline::Checker checker(model, request->options);
  Result<pipeline::CheckResult> checked = checker.Check(request->text);
  if (!checked.ok()) return ErrorResponse(checked.status());
  *result = *std::move(checked);
  return std::nullopt;
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
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return ErrorResponse(500, "internal", status.message());
}

Api::Api(const model::Model& model, const source::Index* index, const source::WordClasses* classes,
         std::string model_path, pipeline::CheckOptions defaults)
    : model_(model),
      index_(index),
      classes_(classes),
      model_path_(std::move(model_path)),
      defaults_(defaults) {}

ApiResponse Api::Check(std::string_view body) const {
  DocumentRequest request;
  pipeline::CheckResult result;
  if (auto error = CheckDocument(model_, defaults_, body, &request, &result)) return *error;
  std::string json = pipeline::CheckResultToJson(result);
  if (request.html && !json.empty() && json.back() == '}') {
    json.pop_back();  // splice the article in: the offsets point into it, not the page
    json += ",\"article\":" + Dump(Json(request.text)) + "}";
  }
  return {200, std::move(json)};
}

ApiResponse Api::Restore(std::string_view body) const {
  DocumentRequest request;
  pipeline::CheckResult result;
  if (auto error = CheckDocument(model_, defaults_, body, &request, &result)) return *error;
  return {200, Dump(Json{{"restored", result.restored}})};
}

ApiResponse Api::Find(std::string_view body) const {
  if (index_ == nullptr || classes_ == nullptr) {
    return ErrorResponse(501, "no_index",
                         "this server has no source index: start it with `unspin serve --index "
                         "DIR` (an index from `unspin index build`)");
  }
  Json object;
  if (auto error = ParseObject(body, {"text", "k", "min_score"}, &object)) return *error;
  bool has_text = false;
  std::string text;
  if (auto error = ReadString(object, "text", &has_text, &text)) return *error;
  if (!has_text) return ErrorResponse(400, "invalid_argument", "the field \"text\" is missing");
  source::FindOptions options;
  double k = static_cast<double>(options.max_matches);
  if (auto error = ReadNumber(object, "k", 1, 1000, &k)) return *error;
  if (object.contains("k") && !object["k"].is_number_integer()) {
    return ErrorResponse(400, "invalid_argument", "\"k\" must be a whole number");
  }
  if (auto error = ReadNumber(object, "min_score", 0, 1, &options.min_score)) return *error;
  options.max_matches = static_cast<size_t>(k);
  options.candidates = std::max(options.candidates, options.max_matches);
  const source::Finder finder(*index_, *classes_, options);
  Result<std::vector<source::Match>> matches = finder.Find(text);
  if (!matches.ok()) return ErrorResponse(matches.status());
  return {200, source::MatchesToJson(text, *matches)};
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
                 {"min_spun_probability", defaults_.min_spun_probability}}}};
  json["index"] = index_ == nullptr ? Json(nullptr) : Json{{"documents", index_->document_count()}};
  return {200, Dump(json)};
}

ApiResponse Api::Health() const { return {200, R"({"status":"ok"})"}; }

}  // namespace unspin::cli::serve
