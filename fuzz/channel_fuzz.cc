// libFuzzer target for the learned channel: ChannelTable::OpenSection on
// arbitrary or mutated CHAN sections (and, when it accepts them, Lookup of
// every stored key), ChannelTableBuilder::ReadTsv on the raw input, and the
// learner on the input split into an original and a copy.
//
// Input: byte 0 selects the mode. Even: the rest is the section as is. Odd: the
// rest edits a small valid section (MutateSeed in fuzz_util.h). Run with
// scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "unspin/channel/channel.h"

namespace {

using unspin::fuzz::MutateSeed;
using unspin::fuzz::Require;

const std::string& ValidSection() {
  static const std::string* section = [] {
    unspin::channel::ChannelTableBuilder builder;
    unspin::Status status = builder.ReadTsv(
        "failed\tstopped working\t3\nfailed\tfailed\t1\nquit\tstopped working\t1\n"
        "despite\tin spite of\t2\nhad\thad actually\t1\n\tactually\t1\n",
        "seed");
    Require(status.ok());
    unspin::VocabularyBuilder vocabulary;
    return new std::string(builder.Serialize(&vocabulary));
  }();
  return *section;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes = MutateSeed(ValidSection(), data, size);
  unspin::Result<unspin::channel::ChannelTable> table =
      unspin::channel::ChannelTable::OpenSection(bytes);
  if (table.ok()) {
    for (size_t phrase = 0; phrase < table->phrase_count(); ++phrase) {
      std::span<const unspin::WordId> words = table->SpunWords(phrase);
      Require(!words.empty() && words.size() <= table->max_spun_words());
      for (const unspin::channel::Candidate& candidate : table->Lookup(words)) {
        Require(candidate.original.size() <= unspin::channel::kMaxPhraseWords);
        Require(candidate.log10_prob <= 0.0f);
      }
    }
  }
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  unspin::channel::ChannelTableBuilder builder;
  if (builder.ReadTsv(input, "fuzz").ok()) {
    // Re-tokenising a written key may split it differently; only no crash here.
    unspin::channel::ChannelTableBuilder again;
    (void)again.ReadTsv(builder.ToTsv(), "again");
  }
  size_t split = input.find('|');
  if (split != std::string_view::npos) {
    unspin::channel::ChannelLearner learner(/*max_align_cells=*/4096);
    learner.AddPair(input.substr(0, split), input.substr(split + 1));
    unspin::channel::ChannelTableBuilder learned = learner.Finish();
    unspin::VocabularyBuilder vocabulary;
    std::string section = learned.Serialize(&vocabulary);
    Require(unspin::channel::ChannelTable::OpenSection(section).ok());
  }
  return 0;
}
