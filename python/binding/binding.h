// The Python module `unspin` (its C++ part, `unspin._unspin`): a thin
// binding of the library for notebooks and Dask workers. What it returns is
// what the CLI prints: check results and find matches are the CLI's JSON,
// made by the same library functions, as Python dicts and lists.
//
//   model = unspin.Model.open()                  # as `unspin` finds its model
//   model.check("Council members stated ...")    # == json.loads(`unspin check --json`)
//   index = unspin.Index.open("archive-idx", model)
//   index.find(text, k=10)                       # == `unspin find --json`'s "matches"
//
// The GIL is released around every call into the library, so Python threads
// check in parallel. python/unspin/_unspin.pyi documents the API.
#ifndef UNSPIN_PYTHON_BINDING_BINDING_H_
#define UNSPIN_PYTHON_BINDING_BINDING_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/model/model.h"
#include "unspin/pipeline/check.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::python {

namespace py = pybind11;

// Raises the Python exception for a failed Status (status.ToString() as its
// message): ValueError for InvalidArgument and ResourceExhausted,
// FileNotFoundError for NotFound, OSError for IOError, unspin.FormatError (a
// ValueError) for Corruption and VersionMismatch, RuntimeError for Internal.
[[noreturn]] void Raise(const Status& status);
inline void ThrowIfError(const Status& status) {
  if (!status.ok()) Raise(status);
}

// Registers unspin.FormatError.
void BindErrors(py::module_& module);

// json.loads(text), with the GIL held.
py::object ParseJson(const std::string& text);

// A text argument as UTF-8. Taken as a str, not converted by pybind11, which
// answers a str with no UTF-8 form (a lone surrogate) with a TypeError about
// the function's signature: this raises Python's own UnicodeEncodeError (a
// ValueError) naming the character and its position.
std::string Utf8(const py::str& text);

// An open model and what is derived from it once: the default checker and,
// on first use, the word classes an index needs. Shared by every Index
// opened with it, which keeps it alive.
class ModelHandle {
 public:
  // `channel`: a learned table (TSV, `unspin channel learn`) put beside the
  // model's own, as `unspin check --channel` does.
  static std::shared_ptr<ModelHandle> Open(const std::string& path,
                                           const std::optional<std::string>& channel = {});

  const model::Model& model() const { return *model_; }
  const std::string& path() const { return path_; }
  const std::string& fingerprint() const { return fingerprint_; }
  // The default checker, or one with other options. Thread-safe.
  std::unique_ptr<pipeline::Checker> CheckerWith(const pipeline::CheckOptions& options) const;
  const pipeline::Checker& default_checker() const { return *default_checker_; }
  // Computed on first call (thread-safe).
  const source::WordClasses& classes() const;

 private:
  std::unique_ptr<model::Model> model_;
  std::string path_;
  std::string fingerprint_;
  std::unique_ptr<pipeline::Checker> default_checker_;
  mutable std::once_flag classes_once_;
  mutable std::unique_ptr<source::WordClasses> classes_;
};

// `model`, or when null the default model (Model.open()).
std::shared_ptr<ModelHandle> ModelOrDefault(std::shared_ptr<ModelHandle> model);

// One index, or the shards of one archive queried as one.
class IndexHandle {
 public:
  // `path`: an index directory (it has a MANIFEST), or a directory whose
  // subdirectories are the shards (each with a MANIFEST), in name order.
  static std::shared_ptr<IndexHandle> Open(const std::string& path,
                                           std::shared_ptr<ModelHandle> model);

  const std::string& path() const { return path_; }
  const std::shared_ptr<ModelHandle>& model() const { return model_; }
  const std::vector<std::unique_ptr<source::Index>>& shards() const { return shards_; }
  const std::vector<std::string>& shard_paths() const { return shard_paths_; }
  uint64_t document_count() const;  // of all shards

 private:
  std::string path_;
  std::shared_ptr<ModelHandle> model_;
  std::vector<std::unique_ptr<source::Index>> shards_;
  std::vector<std::string> shard_paths_;
};

void BindModel(py::module_& module);
void BindIndex(py::module_& module);
void BindScan(py::module_& module);

}  // namespace unspin::python

#endif  // UNSPIN_PYTHON_BINDING_BINDING_H_
