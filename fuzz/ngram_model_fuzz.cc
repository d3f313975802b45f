// libFuzzer target for NgramModel::Open: arbitrary bytes as an LMNG section
// and, when Open accepts them, Score over a few word-id sequences (including
// ids beyond the unigram table and a full-length state of arbitrary ids) and
// EndSentenceScore.
//
// Input: byte 0 selects the mode. Even: the rest is the section as is. Odd: the
// rest edits a small valid trigram section (built once with NgramModelBuilder),
// so the fuzzer starts with tables it can probe: bit 1 truncates it to the
// length in the next two bytes, then each group of 4 bytes (u24 offset, u8 mask)
// XORs one byte. Run with scripts/fuzz.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "unspin/lm/ngram_model.h"

namespace {

using unspin::fuzz::MutateSeed;
using unspin::fuzz::Require;

using unspin::WordId;

// Words 3..9 of a made-up vocabulary: "the cat sat on a mat today".
const std::string& ValidSection() {
  static const std::string* section = [] {
    unspin::lm::NgramModelBuilder builder(3);
    auto add = [&builder](std::initializer_list<uint32_t> ids, float prob, float backoff) {
      std::vector<WordId> words;
      for (uint32_t id : ids) words.push_back(WordId{id});
      builder.Add(words, prob, backoff);
    };
    add({0}, -5.0f, 0.0f);
    add({1}, -99.0f, -0.5f);
    add({2}, -1.0f, 0.0f);
    for (uint32_t id = 3; id <= 9; ++id) add({id}, -1.5f - 0.1f * static_cast<float>(id), -0.3f);
    add({1, 3}, -0.4f, -0.2f);
    add({3, 4}, -0.7f, -0.1f);
    add({4, 5}, -0.6f, -0.1f);
    add({5, 6}, -0.5f, 0.0f);
    add({9, 2}, -0.2f, 0.0f);
    add({1, 3, 4}, -0.3f, 0.0f);
    add({3, 4, 5}, -0.2f, 0.0f);
    add({6, 7, 8}, -0.1f, 0.0f);  // closure adds "6 7" and "7 8"
    return new std::string(builder.Serialize());
  }();
  return *section;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes = MutateSeed(ValidSection(), data, size);
  unspin::Result<unspin::lm::NgramModel> model = unspin::lm::NgramModel::Open(bytes);
  if (!model.ok()) return 0;
  Require(model->order() >= 1 && model->order() <= unspin::lm::kMaxOrder);
  for (int n = 0; n <= unspin::lm::kMaxOrder + 1; ++n) (void)model->NgramCount(n);

  std::vector<uint32_t> from_input;
  for (size_t i = 0; i + 4 <= size && from_input.size() < 16; i += 4) {
    uint32_t id;
    std::memcpy(&id, data + i, sizeof id);
    from_input.push_back(id);
  }
  const std::vector<std::vector<uint32_t>> sentences = {
      {3, 4, 5, 6}, {6, 7, 8, 9, 2}, {0, 1, 2, 0}, {10, 0xFFFFFFFFu, 3, 0x7FFFFFFFu, 4}, from_input,
  };
  for (const std::vector<uint32_t>& sentence : sentences) {
    for (unspin::lm::LmState state : {model->BeginSentence(), model->NullContext()}) {
      for (uint32_t id : sentence) {
        (void)model->Score(state, WordId{id}, &state);
        Require(state.length < unspin::lm::kMaxOrder);
      }
      (void)model->EndSentenceScore(state);
    }
  }
  unspin::lm::LmState full;
  full.length = unspin::lm::kMaxOrder - 1;
  for (int i = 0; i < full.length; ++i) {
    full.context[i] = WordId{i < static_cast<int>(from_input.size()) ? from_input[i] : 5u};
  }
  unspin::lm::LmState next;
  (void)model->Score(full, WordId{4}, &next);
  (void)model->EndSentenceScore(full);
  for (uint32_t id : {0u, 2u, 5u, 1u << 20, 0xFFFFFFFFu}) (void)model->UnigramLog10Prob(WordId{id});
  return 0;
}
