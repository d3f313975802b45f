// libFuzzer target for Lexicon::Open: the input becomes the three lexicon
// sections (LXEN, LXED, LXMO, named as LexiconBuilder::Serialize names them)
// of a section file; when Open accepts them, FindEntry, EntryWords, Neighbors,
// Lemmatize and Inflect run over a range of ids, in range and out of it.
//
// Input: byte 0 selects the mode; bits 5..7 drop LXEN, LXED, LXMO.
//   Even: the rest is the three sections, the first two each preceded by a u16
//   length (cut short at the end of the input), the third taking what is left.
//   Odd: the rest edits the sections of a small valid lexicon (built once with
//   LexiconBuilder from the tests/data/lexicon fixtures, or from a built-in
//   thesaurus when those are not found): bit 1 truncates section data[1] % 3 to
//   the length in data[2..3], then each group of 5 bytes (u8 section, u24
//   offset, u8 mask) XORs one byte.
// Run with scripts/fuzz (from build/fuzz, which finds the fixtures two levels up).
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "unspin/base/section_file.h"
#include "unspin/lexicon/lexicon.h"
#include "unspin/vocab/vocabulary.h"

namespace {

using unspin::fuzz::Require;
using unspin::fuzz::TempPath;

using unspin::WordId;
using unspin::lexicon::EntryId;
using unspin::lexicon::Inflection;
using unspin::lexicon::PartOfSpeech;

constexpr unspin::FileMagic kMagic = {'U', 'N', 'S', 'P', 'L', 'X', 'F', 'Z'};
constexpr uint32_t kVersion = 1;
constexpr std::array<uint32_t, 3> kTags = {unspin::SectionTag("LXEN"), unspin::SectionTag("LXED"),
                                           unspin::SectionTag("LXMO")};

// tests/data/lexicon, searched upwards from the working directory; empty if absent.
std::string FixtureDir() {
  std::error_code error;
  for (std::filesystem::path dir = std::filesystem::current_path(error); !dir.empty();
       dir = dir.parent_path()) {
    std::filesystem::path candidate = dir / "tests/data/lexicon";
    if (std::filesystem::exists(candidate / "th_sample.dat", error)) return candidate.string();
    if (dir == dir.parent_path()) break;
  }
  return {};
}

using Sections = std::array<std::string, 3>;

const Sections& ValidSections() {
  static const Sections* sections = [] {
    unspin::VocabularyBuilder vocab;
    unspin::lexicon::LexiconBuilder builder(&vocab);
    const std::string fixtures = FixtureDir();
    if (!fixtures.empty()) {
      Require(builder.AddWordNet(fixtures + "/wordnet").ok());
      Require(builder.AddMythes(fixtures + "/th_sample.dat").ok());
    } else {
      const std::string dat = TempPath("lexicon_seed.dat");
      std::ofstream(dat)
          << "UTF-8\nfail|2\n(verb)|stop working|break down|go wrong\n"
             "(verb)|succeed (antonym)|flunk\nbig|1\n(adj)|large|huge (similar term)\n"
             "dog|1\n(noun)|canine (generic term)|hound\n";
      Require(builder.AddMythes(dat).ok());
      std::remove(dat.c_str());
    }
    unspin::SectionFileWriter writer(kMagic, kVersion);
    builder.Serialize(&writer);
    const std::string path = TempPath("lexicon_seed");
    Require(writer.Write(path).ok());
    unspin::Result<unspin::SectionFile> file = unspin::SectionFile::Open(path, kMagic, kVersion);
    Require(file.ok());
    auto* out = new Sections;
    for (size_t i = 0; i < kTags.size(); ++i) {
      unspin::Result<std::string_view> bytes = file->Section(kTags[i]);
      Require(bytes.ok());
      (*out)[i] = std::string(*bytes);
    }
    std::remove(path.c_str());
    return out;
  }();
  return *sections;
}

Sections Split(const uint8_t* data, size_t size) {
  Sections sections;
  size_t pos = 1;
  for (size_t i = 0; i < 3; ++i) {
    size_t length = size - pos;
    if (i < 2) {
      length = 0;
      if (pos + 2 <= size) {
        length = std::min<size_t>(data[pos] | size_t{data[pos + 1]} << 8, size - pos - 2);
        pos += 2;
      } else {
        pos = size;
      }
    }
    sections[i].assign(reinterpret_cast<const char*>(data + pos), length);
    pos += length;
  }
  return sections;
}

Sections Mutate(const uint8_t* data, size_t size) {
  Sections sections = ValidSections();
  size_t pos = 1;
  if ((data[0] & 2) != 0 && size >= 4) {
    std::string& section = sections[data[1] % 3];
    section.resize((data[2] | size_t{data[3]} << 8) % (section.size() + 1));
    pos = 4;
  }
  for (; pos + 5 <= size; pos += 5) {
    std::string& section = sections[data[pos] % 3];
    if (section.empty()) continue;
    size_t offset = (data[pos + 1] | size_t{data[pos + 2]} << 8 | size_t{data[pos + 3]} << 16);
    section[offset % section.size()] ^= static_cast<char>(data[pos + 4]);
  }
  return sections;
}

void Exercise(const unspin::lexicon::Lexicon& lexicon, const uint8_t* data, size_t size) {
  const uint32_t entry_count = static_cast<uint32_t>(lexicon.entry_count());
  std::vector<uint32_t> ids;
  for (uint32_t id = 0; id < std::min<uint32_t>(entry_count, 64); ++id) ids.push_back(id);
  for (uint32_t id : {entry_count, entry_count + 1, 0xFFFFFFFFu}) ids.push_back(id);
  for (size_t i = 0; i < size && i < 8; ++i) ids.push_back(data[i]);

  std::vector<unspin::lexicon::LemmaReading> readings;
  for (uint32_t id : ids) {
    const EntryId entry{id};
    std::span<const WordId> words = lexicon.EntryWords(entry);
    Require(id < entry_count ? !words.empty() && words.size() <= lexicon.max_entry_words()
                             : words.empty());
    (void)lexicon.EntryPartsOfSpeech(entry);
    for (const unspin::lexicon::Edge& edge : lexicon.Neighbors(entry)) {
      Require(unspin::lexicon::ToIndex(edge.target) < entry_count);
      (void)lexicon.EntryWords(edge.target);
    }
    if (std::optional<EntryId> found = lexicon.FindEntry(words)) {
      std::span<const WordId> stored = lexicon.EntryWords(*found);
      Require(std::equal(stored.begin(), stored.end(), words.begin(), words.end()));
    }
    for (WordId word : words) {
      Require(unspin::ToIndex(word) < lexicon.word_id_limit());
      readings.clear();
      lexicon.Lemmatize(word, &readings);
      for (const unspin::lexicon::LemmaReading& reading : readings) {
        for (int inflection = 0; inflection <= unspin::lexicon::kInflectionCount; ++inflection) {
          (void)lexicon.Inflect(reading.lemma, reading.pos, static_cast<Inflection>(inflection));
        }
      }
    }
    readings.clear();
    lexicon.Lemmatize(WordId{id}, &readings);
    (void)lexicon.Inflect(WordId{id}, static_cast<PartOfSpeech>(id % 7), Inflection::kPlural);
  }
  const std::array<WordId, 0> none{};
  Require(!lexicon.FindEntry(none).has_value());
  (void)lexicon.stats();
}

// The section file each input is written to, removed at exit.
struct InputFile {
  std::string path = TempPath("lexicon_fuzz");
  ~InputFile() { std::remove(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static InputFile input;
  const Sections sections = (data[0] & 1) != 0 ? Mutate(data, size) : Split(data, size);
  unspin::SectionFileWriter writer(kMagic, kVersion);
  for (size_t i = 0; i < kTags.size(); ++i) {
    if ((data[0] & (0x20 << i)) == 0) writer.Add(kTags[i], sections[i]);
  }
  Require(writer.Write(input.path).ok());
  unspin::Result<unspin::SectionFile> file =
      unspin::SectionFile::Open(input.path, kMagic, kVersion);
  Require(file.ok());
  unspin::Result<unspin::lexicon::Lexicon> lexicon = unspin::lexicon::Lexicon::Open(*file);
  if (lexicon.ok()) Exercise(*lexicon, data, size);
  return 0;
}
