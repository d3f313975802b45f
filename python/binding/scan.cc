// unspin.scan: `unspin scan` from Python, one process, the GIL released; the
// Dask scan (python/unspin/dask.py) runs one per shard.
#include "unspin/pipeline/scan.h"

#include <pybind11/stl.h>

#include <optional>

#include "binding.h"
#include "scan_setup.h"
#include "unspin/source/find.h"

namespace unspin::python {
namespace {

py::object Scan(const std::vector<std::string>& inputs, const std::string& out,
                std::shared_ptr<ModelHandle> model, std::shared_ptr<IndexHandle> index, int threads,
                bool overwrite) {
  if (threads < 0) throw py::value_error("threads must be 0 (one per core) or more");
  if (index && model && model->fingerprint() != index->model()->fingerprint()) {
    throw py::value_error("the index " + index->path() + " was opened with another model (" +
                          index->model()->path() + ") than " + model->path());
  }
  model = ModelOrDefault(index ? index->model() : std::move(model));
  // The settings and the source finder of `unspin scan` (tools/unspin/cmd_scan.cc).
  pipeline::ScanOptions options;
  options.threads = threads;
  options.overwrite = overwrite;
  options.settings["model"] = model->fingerprint();
  std::vector<source::Finder> finders;
  if (index) {
    options.settings["index"] = index->path();
    finders.reserve(index->shards().size());
    std::vector<const source::Finder*> shards;
    for (const auto& shard : index->shards()) {
      shards.push_back(
          &finders.emplace_back(*shard, index->model()->classes(), cli::BestSourceOptions()));
    }
    options.find_source = cli::BestSourceFinder(std::move(shards));
  }
  Result<pipeline::ScanSummary> summary = [&] {
    py::gil_scoped_release release;
    return pipeline::Scan(model->default_checker(), inputs, out, options);
  }();
  ThrowIfError(summary.status());
  return ParseJson(pipeline::ScanSummaryToJson(*summary));
}

}  // namespace

void BindScan(py::module_& module) {
  module.def("scan", &Scan, py::arg("inputs"), py::arg("out"), py::kw_only(),
             py::arg("model") = nullptr, py::arg("index") = nullptr, py::arg("threads") = 0,
             py::arg("overwrite") = false);
}

}  // namespace unspin::python
