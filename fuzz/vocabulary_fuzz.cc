// libFuzzer target for Vocabulary::Open: arbitrary bytes as a VOCB section and,
// when Open accepts them, Find of a few strings and Word() of every id.
//
// Input: byte 0 selects the mode. Even: the rest is the section as is. Odd: the
// rest edits a small valid section (built once with VocabularyBuilder), so the
// fuzzer starts deep inside the validation: bit 1 truncates it to the length in
// the next two bytes, then each group of 4 bytes (u24 offset, u8 mask) XORs one
// byte. Run with scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "unspin/vocab/vocabulary.h"

namespace {

using unspin::fuzz::MutateSeed;
using unspin::fuzz::Require;

const std::string& ValidSection() {
  static const std::string* section = [] {
    unspin::VocabularyBuilder builder;
    for (std::string_view word :
         {"the", "said", "failed", "a", "give", "up", "o'clock", "naïve", "", "military", "-"}) {
      builder.Intern(word);
    }
    return new std::string(builder.Serialize());
  }();
  return *section;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The section must be 4-byte aligned, as the container guarantees (64).
  const std::string bytes = MutateSeed(ValidSection(), data, size);
  unspin::Result<unspin::Vocabulary> vocab = unspin::Vocabulary::Open(bytes);
  if (!vocab.ok()) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (std::string_view word :
       {std::string_view("<unk>"), std::string_view("said"), std::string_view(""),
        std::string_view("zzz"), input.substr(0, 8)}) {
    std::optional<unspin::WordId> id = vocab->Find(word);
    if (id) Require(unspin::ToIndex(*id) < vocab->size() && vocab->Word(*id) == word);
  }
  size_t total = 0;
  for (uint32_t id = 0; id < vocab->size(); ++id) {
    std::string_view word = vocab->Word(unspin::WordId{id});
    total += word.size();
    std::optional<unspin::WordId> found = vocab->Find(word);
    if (found) Require(vocab->Word(*found) == word);
  }
  Require(total <= bytes.size());
  return 0;
}
