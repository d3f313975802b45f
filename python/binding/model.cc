// unspin.Model: open a model, check and restore texts.
#include <pybind11/stl.h>

#include <optional>

#include "binding.h"
#include "scan_setup.h"
#include "unspin/pipeline/check_windows.h"

namespace unspin::python {

std::shared_ptr<ModelHandle> ModelHandle::Open(const std::string& path,
                                               const std::optional<std::string>& channel) {
  Result<std::unique_ptr<model::Model>> opened = [&] {
    py::gil_scoped_release release;
    return model::Model::Open(path);
  }();
  ThrowIfError(opened.status());
  if (channel) {
    Result<channel::ChannelTableBuilder> table = [&] {
      py::gil_scoped_release release;
      return model::ReadChannelTable(*channel);
    }();
    ThrowIfError(table.status());
    (*opened)->AddChannel(std::move(*table));
  }
  auto handle = std::make_shared<ModelHandle>();
  handle->model_ = std::move(*opened);
  handle->path_ = path;
  handle->fingerprint_ = cli::ModelFingerprint(*handle->model_);
  handle->default_checker_ = std::make_unique<pipeline::Checker>(*handle->model_);
  return handle;
}

std::unique_ptr<pipeline::Checker> ModelHandle::CheckerWith(
    const pipeline::CheckOptions& options) const {
  return std::make_unique<pipeline::Checker>(*model_, options);
}

const source::WordClasses& ModelHandle::classes() const {
  std::call_once(classes_once_,
                 [this] { classes_ = std::make_unique<source::WordClasses>(*model_); });
  return *classes_;
}

namespace {

// The model path when none is given: unspin._paths.default_model_path(), the
// rules of the CLI's ModelPath from where the module is.
std::string DefaultModelPath() {
  return py::module_::import("unspin._paths").attr("default_model_path")().cast<std::string>();
}

}  // namespace

std::shared_ptr<ModelHandle> ModelOrDefault(std::shared_ptr<ModelHandle> model) {
  return model ? model : ModelHandle::Open(DefaultModelPath());
}

namespace {

// The checker for these options: the model's default one when they are the
// defaults (no table to derive), else a new one in `owned`.
const pipeline::Checker& CheckerFor(const ModelHandle& model, const pipeline::CheckOptions& options,
                                    std::unique_ptr<pipeline::Checker>* owned) {
  if (options == pipeline::CheckOptions{}) return model.default_checker();
  if (Status valid = pipeline::ValidateCheckOptions(options); !valid.ok()) {
    throw py::value_error(valid.message());
  }
  *owned = model.CheckerWith(options);
  return **owned;
}

// The text checked as `unspin check` checks it (window by window, with its
// restored text), without the GIL; errors raised as Python exceptions.
pipeline::CheckResult CheckOrThrow(const ModelHandle& model, const std::string& text,
                                   const pipeline::CheckOptions& options) {
  std::unique_ptr<pipeline::Checker> owned;
  const pipeline::Checker& checker = CheckerFor(model, options, &owned);
  Result<pipeline::CheckResult> result = InvalidArgumentError("not checked");
  {
    py::gil_scoped_release release;
    result = pipeline::CheckInWindowsRestored(checker, text);
  }
  ThrowIfError(result.status());
  return *std::move(result);
}

}  // namespace

void BindModel(py::module_& module) {
  const pipeline::CheckOptions defaults;
  py::class_<ModelHandle, std::shared_ptr<ModelHandle>>(module, "Model")
      .def_static(
          "open",
          [](std::optional<std::string> path, std::optional<std::string> channel) {
            return ModelHandle::Open(path ? *path : DefaultModelPath(), channel);
          },
          py::arg("path") = py::none(), py::kw_only(), py::arg("channel") = py::none())
      .def_property_readonly("path", &ModelHandle::path)
      .def_property_readonly("fingerprint", &ModelHandle::fingerprint)
      .def(
          "check",
          [](const ModelHandle& model, const py::str& text, double change_cost,
             double min_spun_probability, double spun_share) {
            const pipeline::CheckResult result =
                CheckOrThrow(model, Utf8(text),
                             {.change_cost = change_cost,
                              .min_spun_probability = min_spun_probability,
                              .spun_share = spun_share});
            std::string json;
            {
              py::gil_scoped_release release;
              json = pipeline::CheckResultToJson(result);
            }
            return ParseJson(json);
          },
          py::arg("text"), py::kw_only(), py::arg("change_cost") = defaults.change_cost,
          py::arg("min_spun_probability") = defaults.min_spun_probability,
          py::arg("spun_share") = defaults.spun_share)
      .def(
          "restore",
          [](const ModelHandle& model, const py::str& text, double change_cost,
             double min_spun_probability, double spun_share) {
            return CheckOrThrow(model, Utf8(text),
                                {.change_cost = change_cost,
                                 .min_spun_probability = min_spun_probability,
                                 .spun_share = spun_share})
                .restored;
          },
          py::arg("text"), py::kw_only(), py::arg("change_cost") = defaults.change_cost,
          py::arg("min_spun_probability") = defaults.min_spun_probability,
          py::arg("spun_share") = defaults.spun_share)
      .def("__repr__", [](const ModelHandle& model) {
        return "<unspin.Model " + model.path() + " (" + model.fingerprint() + ")>";
      });
}

}  // namespace unspin::python
