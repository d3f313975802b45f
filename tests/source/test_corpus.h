// Shared fixture data for the source tests: the default model and real
// documents (presidential speeches from ../shared/corpora), loaded once.
#ifndef UNSPIN_TESTS_SOURCE_TEST_CORPUS_H_
#define UNSPIN_TESTS_SOURCE_TEST_CORPUS_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "unspin/model/model.h"
#include "unspin/source/signature.h"

namespace unspin::source::testing {

inline const model::Model& DefaultModel() {
  static const model::Model* const kModel = [] {
    auto model = model::Model::Open(UNSPIN_DEFAULT_MODEL);
    if (!model.ok()) std::abort();
    return model->release();
  }();
  return *kModel;
}

inline const WordClasses& DefaultClasses() {
  static const WordClasses* const kClasses = new WordClasses(DefaultModel());
  return *kClasses;
}

struct CorpusDocument {
  std::string id;
  std::string text;
};

// The first `count` speeches (sorted by file name) of at least 400 bytes.
inline std::vector<CorpusDocument> Speeches(size_t count, size_t skip = 0) {
  namespace fs = std::filesystem;
  std::vector<fs::path> paths;
  for (const auto& entry :
       fs::directory_iterator(fs::path(UNSPIN_SHARED_DIR) / "corpora/presidential-speeches")) {
    if (entry.path().extension() == ".txt") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<CorpusDocument> documents;
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() < 400) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    documents.push_back({path.stem().string(), std::move(text)});
    if (documents.size() == count) break;
  }
  return documents;
}

}  // namespace unspin::source::testing

#endif  // UNSPIN_TESTS_SOURCE_TEST_CORPUS_H_
