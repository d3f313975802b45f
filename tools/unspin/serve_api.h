// The JSON API of `unspin serve`, apart from HTTP: each handler takes a
// request body and returns a status and a JSON body, so that it can be tested
// and reused without a socket. cmd_serve.cc binds them to routes.
//
//   serve::Api api(model, nullptr, nullptr, path, pipeline::CheckOptions{});
//   serve::ApiResponse response = api.Check(R"({"text": "..."})");
//   // response.http_status == 200, response.body == what `check --json` prints
//
// docs/openapi.json describes the requests and responses.
#ifndef UNSPIN_TOOLS_UNSPIN_SERVE_API_H_
#define UNSPIN_TOOLS_UNSPIN_SERVE_API_H_

#include <string>
#include <string_view>

#include "unspin/base/status.h"
#include "unspin/model/model.h"
#include "unspin/pipeline/check.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::cli::serve {

struct ApiResponse {
  int http_status = 200;
  std::string body;  // JSON
};

// {"error": {"code": code, "message": message}} with `http_status`.
ApiResponse ErrorResponse(int http_status, std::string_view code, std::string_view message);

// The one table from Status codes to HTTP statuses and error codes:
// InvalidArgument 400, ResourceExhausted 413, NotFound 404, and the rest
// (a damaged model or index, I/O, internal) 500.
ApiResponse ErrorResponse(const Status& status);

// The handlers. Thread-safe: they share only read-only state. The model, and
// the index and word classes when given, must outlive the Api.
class Api {
 public:
  // `index` and `classes` are both null (no index: Find answers 501) or both set.
  Api(const model::Model& model, const source::Index* index, const source::WordClasses* classes,
      std::string model_path, pipeline::CheckOptions defaults);

  // POST /v1/check: {"text": T} or {"html": H}, with optional "change_cost"
  // and "min_spun_probability". 200: pipeline::CheckResultToJson of the text
  // (of an HTML page's article, then with "article": its text, which the
  // offsets point into).
  ApiResponse Check(std::string_view body) const;

  // POST /v1/restore: the same request; 200: {"restored": text}.
  ApiResponse Restore(std::string_view body) const;

  // POST /v1/find: {"text": T} with optional "k" (1-1000) and "min_score"
  // (0-1); 200: source::MatchesToJson. 501 when the server has no index.
  ApiResponse Find(std::string_view body) const;

  // GET /v1/model: the model's and index's facts (`unspin model info`).
  ApiResponse ModelInfo() const;

  // GET /healthz: {"status": "ok"}.
  ApiResponse Health() const;

 private:
  const model::Model& model_;
  const source::Index* index_;
  const source::WordClasses* classes_;
  std::string model_path_;
  pipeline::CheckOptions defaults_;
};

}  // namespace unspin::cli::serve

#endif  // UNSPIN_TOOLS_UNSPIN_SERVE_API_H_
