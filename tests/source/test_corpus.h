// Shared fixture data for the source tests: the default model, loaded once,
// and English documents made from WordNet's glosses.
#ifndef UNSPIN_TESTS_SOURCE_TEST_CORPUS_H_
#define UNSPIN_TESTS_SOURCE_TEST_CORPUS_H_

#include <cstdlib>
#include <memory>
#include <vector>

#include "common/wordnet_text.h"
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

using test_data::Document;

// Documents `skip` to `skip + count - 1` of the ones made from WordNet's
// glosses (tests/common/wordnet_text.h).
inline std::vector<Document> Documents(size_t count, size_t skip = 0) {
  return test_data::WordNetDocuments(count, skip);
}

}  // namespace unspin::source::testing

#endif  // UNSPIN_TESTS_SOURCE_TEST_CORPUS_H_
