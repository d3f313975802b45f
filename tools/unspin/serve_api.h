// The JSON API of `unspin serve`, apart from HTTP: each handler takes a
// request body and returns a status and a JSON body, so that it can be tested
// and reused without a socket. cmd_serve.cc binds them to routes.
//
//   serve::Api api(model, serve::ServedIndex{}, path, pipeline::CheckOptions{});
//   serve::ApiResponse response = api.Check(R"({"text": "..."})");
//   // response.http_status == 200, response.body == what `check --json` prints
//
// docs/openapi.json describes the requests and responses.
#ifndef UNSPIN_TOOLS_UNSPIN_SERVE_API_H_
#define UNSPIN_TOOLS_UNSPIN_SERVE_API_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
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

// An index the server searches and adds to: its directory, the word classes
// of its model, and the index as opened at start.
struct ServedIndex {
  std::string dir;
  const source::WordClasses* classes = nullptr;
  std::unique_ptr<source::Index> index;
};

// The handlers. Thread-safe: reads share the model and the index as last
// committed; additions to the index take turns.
class Api {
 public:
  // The model (and the index's word classes) must outlive the Api. Without
  // an index (`index.index` null) find and the document routes answer 501.
  // A check or a restoration by the model that runs past `check_time_limit`
  // stops at its next window (pipeline::CheckInWindows) and answers 503.
  Api(const model::Model& model, ServedIndex index, std::string model_path,
      pipeline::CheckOptions defaults, std::chrono::steady_clock::duration check_time_limit);

  // POST /v1/check: {"text": T} or {"html": H}, with optional "change_cost"
  // and "min_spun_probability". 200: CheckViewJson (check_view.h): what
  // `check --json` prints for the text, or for a page's article with
  // "article" and "page".
  ApiResponse Check(std::string_view body) const;

  // POST /v1/restore: the same request; 200: {"restored": text}, restored
  // with the model; with an index, as `restore --index` (archive_restore.h),
  // and "sources": [{"id", "score", "coverage", "weight"}] lists the indexed
  // documents that voted (empty: the model restored alone).
  ApiResponse Restore(std::string_view body) const;

  // POST /v1/find: {"text": T} with optional "k" (1-1000) and "min_score"
  // (0-1); 200: source::MatchesToJson. 501 when the server has no index.
  ApiResponse Find(std::string_view body) const;

  // POST /v1/documents: {"documents": [D, ...]}, each D as a JSONL line of
  // `unspin index add` ({"id", "text", ...}, other fields kept as metadata),
  // added through source::IndexWriter and committed together: all or none.
  // 200: {"added": n, "documents": the index's count after}; 400 for a
  // malformed document (the message names it), 409 for an id the index or
  // the request already has; nothing is added then. Finds that start after
  // the 200 see the documents. 501 without an index.
  ApiResponse AddDocuments(std::string_view body);

  // GET /v1/documents/{id}: 200: {"id", "text", "metadata": {...}}; 404 for
  // an id the index does not have; 501 without an index.
  ApiResponse GetDocument(std::string_view id) const;

  // GET /v1/model: the model's and index's facts (`unspin model info`).
  ApiResponse ModelInfo() const;

  // GET /healthz: {"status": "ok"}.
  ApiResponse Health() const;

 private:
  // The index as last committed; null without one.
  std::shared_ptr<const source::Index> CurrentIndex() const;
  // The checker for `options`: the one built at start when they are the
  // defaults, else one built in *scratch.
  const pipeline::Checker& CheckerFor(const pipeline::CheckOptions& options,
                                      std::optional<pipeline::Checker>* scratch) const;
  // The check as `unspin check` makes it (window by window), stopped at the
  // time limit.
  Result<pipeline::CheckResult> CheckWithinLimit(const pipeline::Checker& checker,
                                                 std::string_view text) const;

  const model::Model& model_;
  const std::string index_dir_;
  const source::WordClasses* const classes_;
  const std::string model_path_;
  const pipeline::CheckOptions defaults_;
  const std::chrono::steady_clock::duration check_time_limit_;
  const pipeline::Checker default_checker_;
  mutable std::mutex index_mutex_;  // guards index_ (the pointer, not the index)
  std::shared_ptr<const source::Index> index_;
  std::mutex write_mutex_;  // one addition at a time
};

}  // namespace unspin::cli::serve

#endif  // UNSPIN_TOOLS_UNSPIN_SERVE_API_H_
