// unspin.Index: open an index (or the shards of one), find the sources of a
// text, build an index from Python documents.
#include <pybind11/stl.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "binding.h"
#include "scan_setup.h"
#include "unspin/source/find.h"

namespace unspin::python {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManifest = "MANIFEST";  // docs/formats/index.md

bool IsIndexDirectory(const fs::path& dir) {
  std::error_code error;
  return fs::is_regular_file(dir / kManifest, error);
}

// The shards of `path`: itself when it is an index, else its subdirectories
// that are, in name order (none: `path` itself, so that Index::Open says why).
std::vector<std::string> ShardPaths(const std::string& path) {
  if (IsIndexDirectory(path)) return {path};
  std::vector<std::string> shards;
  std::error_code error;
  for (fs::directory_iterator entry(path, error), end; !error && entry != end;
       entry.increment(error)) {
    if (IsIndexDirectory(entry->path())) shards.push_back(entry->path().string());
  }
  std::sort(shards.begin(), shards.end());
  if (shards.empty()) shards.push_back(path);
  return shards;
}

// Documents from Python are added in batches, the GIL released for each.
constexpr size_t kBuildBatch = 256;

std::shared_ptr<IndexHandle> Build(const py::iterable& documents, const std::string& out,
                                   std::shared_ptr<ModelHandle> model, uint64_t memory_mb) {
  model = ModelOrDefault(std::move(model));
  source::WriterOptions options;
  options.memory_budget = memory_mb << 20;
  // A build that fails (a bad document, the iterable raising) leaves `out`
  // as it was: the writer removes what it staged, and a directory this call
  // made for it, holding only the writer's lock file then, goes too.
  std::error_code ignored;
  const bool out_existed = fs::exists(out, ignored);
  std::unique_ptr<source::IndexWriter> writer;
  bool committed = false;
  struct RemoveNewDirectory {
    std::unique_ptr<source::IndexWriter>& writer;
    const fs::path out;
    const bool keep;
    const bool& committed;
    ~RemoveNewDirectory() {
      if (keep || committed) return;
      writer.reset();
      std::error_code error;
      fs::remove(out / "LOCK", error);
      fs::remove(out, error);  // only if empty: nothing but what the writer made
    }
  } remove_new_directory{writer, out, out_existed, committed};
  {
    const source::WordClasses& classes = model->classes();
    py::gil_scoped_release release;
    Result<std::unique_ptr<source::IndexWriter>> created =
        source::IndexWriter::Create(out, classes, options);
    py::gil_scoped_acquire acquire;
    ThrowIfError(created.status());
    writer = std::move(*created);
  }
  std::vector<source::IndexDocument> batch;
  auto add_batch = [&] {
    Status status = Status::Ok();
    {
      py::gil_scoped_release release;
      for (source::IndexDocument& document : batch) {
        const std::string id = document.id;
        status = writer->Add(std::move(document));
        if (!status.ok()) {
          status = status.WithContext("document \"" + id + "\"");
          break;
        }
      }
    }
    batch.clear();
    ThrowIfError(status);
  };
  for (py::handle item : documents) {
    if (!py::isinstance<py::sequence>(item) || py::len(item) != 2) {
      throw py::type_error("Index.build takes (id, text) pairs, got " +
                           py::repr(item).cast<std::string>());
    }
    auto pair = py::reinterpret_borrow<py::sequence>(item);
    if (!py::isinstance<py::str>(pair[0]) || !py::isinstance<py::str>(pair[1])) {
      throw py::type_error("Index.build takes (id, text) pairs of str, got " +
                           py::repr(item).cast<std::string>());
    }
    batch.push_back({pair[0].cast<std::string>(), pair[1].cast<std::string>(), "{}"});
    if (batch.size() == kBuildBatch) add_batch();
  }
  add_batch();
  if (writer->added() == 0) {
    throw py::value_error("no documents to index: " + out + " is left as it was");
  }
  {
    py::gil_scoped_release release;
    Status commit = writer->Commit();
    py::gil_scoped_acquire acquire;
    ThrowIfError(commit);
    committed = true;
  }
  return IndexHandle::Open(out, std::move(model));
}

py::object Find(const IndexHandle& index, const py::str& query, size_t k, double min_score) {
  const std::string text = Utf8(query);
  if (k < 1) throw py::value_error("k must be 1 or more");
  if (!(min_score >= 0 && min_score <= 1)) {
    throw py::value_error("min_score must be a number from 0 to 1");
  }
  source::FindOptions options;
  options.max_matches = k;
  options.min_score = min_score;
  std::string json;
  Status status = Status::Ok();
  {
    py::gil_scoped_release release;
    const source::WordClasses& classes = index.model()->classes();
    std::vector<source::Finder> finders;
    std::vector<const source::Finder*> shards;
    finders.reserve(index.shards().size());
    for (const auto& shard : index.shards()) {
      shards.push_back(&finders.emplace_back(*shard, classes, options));
    }
    Result<std::vector<source::Match>> matches = cli::FindInShards(shards, text, k);
    if (matches.ok()) {
      json = source::MatchesToJson(text, *matches);
    } else {
      status = matches.status();
    }
  }
  ThrowIfError(status);
  return ParseJson(json)["matches"];
}

}  // namespace

std::shared_ptr<IndexHandle> IndexHandle::Open(const std::string& path,
                                               std::shared_ptr<ModelHandle> model) {
  model = ModelOrDefault(std::move(model));
  auto handle = std::make_shared<IndexHandle>();
  handle->path_ = path;
  handle->shard_paths_ = ShardPaths(path);
  const source::WordClasses& classes = model->classes();
  for (const std::string& shard : handle->shard_paths_) {
    Result<std::unique_ptr<source::Index>> opened = [&] {
      py::gil_scoped_release release;
      return source::Index::Open(shard, classes.fingerprint());
    }();
    ThrowIfError(opened.status());
    handle->shards_.push_back(std::move(*opened));
  }
  handle->model_ = std::move(model);
  return handle;
}

uint64_t IndexHandle::document_count() const {
  uint64_t documents = 0;
  for (const auto& shard : shards_) documents += shard->document_count();
  return documents;
}

void BindIndex(py::module_& module) {
  const source::FindOptions defaults;
  py::class_<IndexHandle, std::shared_ptr<IndexHandle>>(module, "Index")
      .def_static("open", &IndexHandle::Open, py::arg("path"), py::arg("model") = nullptr)
      .def_static("build", &Build, py::arg("documents"), py::arg("out"), py::arg("model") = nullptr,
                  py::kw_only(), py::arg("memory_mb") = 512)
      .def("find", &Find, py::arg("text"), py::arg("k") = 10,
           py::arg("min_score") = defaults.min_score)
      .def_property_readonly("path", &IndexHandle::path)
      .def_property_readonly("model", &IndexHandle::model)
      .def_property_readonly("shards", &IndexHandle::shard_paths)
      .def_property_readonly("document_count", &IndexHandle::document_count)
      .def("__len__", &IndexHandle::document_count)
      .def("__repr__", [](const IndexHandle& index) {
        return "<unspin.Index " + index.path() + " (" + std::to_string(index.shards().size()) +
               " shard" + (index.shards().size() == 1 ? "" : "s") + ")>";
      });
}

}  // namespace unspin::python
