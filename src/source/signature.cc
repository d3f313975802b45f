#include "unspin/source/signature.h"

#include <xxhash.h>

#include <algorithm>
#include <string>

#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::source {
namespace {

using lexicon::Edge;
using lexicon::LemmaReading;
using lexicon::Relation;

// Relations whose neighbours a spinner offers as drop-in replacements.
bool IsSubstitute(Relation relation) {
  return relation == Relation::kSynonym || relation == Relation::kSimilar;
}

// Hill-climbing steps at most: frequency strictly rises along the way, so
// the walk ends anyway; the cap bounds the work per word.
constexpr int kMaxClimb = 8;

// Changes whenever the way classes or shingles are computed changes, so that
// an index built the old way is refused rather than searched wrongly.
constexpr uint64_t kSchemeVersion = 4;

uint64_t HashBytes(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace

constexpr uint32_t kUnset = UINT32_MAX;

WordClasses::WordClasses(const model::Model& model)
    : model_(model),
      size_(model.vocabulary().size()),
      step_(new std::atomic<uint32_t>[size_]),
      class_of_(new std::atomic<uint32_t>[size_]) {
  for (size_t i = 0; i < size_; ++i) {
    step_[i].store(kUnset, std::memory_order_relaxed);
    class_of_[i].store(kUnset, std::memory_order_relaxed);
  }
  // The sections the classes are computed from, by their recorded checksums.
  fingerprint_ = kSchemeVersion;
  for (const SectionInfo& section : model.sections()) {
    if (section.tag != SectionTag("VOCB") && section.tag != SectionTag("FREQ") &&
        section.tag != SectionTag("LXEN") && section.tag != SectionTag("LXED") &&
        section.tag != SectionTag("LXMO")) {
      continue;
    }
    const uint64_t record[3] = {section.tag, section.crc, section.size};
    fingerprint_ = XXH3_64bits_withSeed(record, sizeof(record), fingerprint_);
  }
}

uint32_t WordClasses::Step(uint32_t id) const {
  const uint32_t known = step_[id].load(std::memory_order_relaxed);
  if (known != kUnset) return known;
  const lexicon::Lexicon& lexicon = model_.lexicon();
  const WordId word{id};
  uint32_t best = id;
  if (!model_.IsFunctionWord(word)) {
    std::vector<LemmaReading> readings;
    lexicon.Lemmatize(word, &readings);
    float best_frequency = model_.Log10Frequency(word);
    auto consider = [&](WordId candidate) {
      const float frequency = model_.Log10Frequency(candidate);
      const uint32_t index = ToIndex(candidate);
      if (index < size_ &&
          (frequency > best_frequency || (frequency == best_frequency && index < best))) {
        best = index;
        best_frequency = frequency;
      }
    };
    for (const LemmaReading& reading : readings) {
      consider(reading.lemma);
      const std::optional<lexicon::EntryId> entry = lexicon.FindEntry({&reading.lemma, 1});
      if (!entry) continue;
      for (const Edge& edge : lexicon.Neighbors(*entry)) {
        if (!IsSubstitute(edge.relation)) continue;
        const std::span<const WordId> words = lexicon.EntryWords(edge.target);
        if (words.size() == 1 && !model_.IsFunctionWord(words[0])) consider(words[0]);
      }
    }
  }
  step_[id].store(best, std::memory_order_relaxed);
  return best;
}

uint32_t WordClasses::ClassOf(uint32_t id) const {
  const uint32_t known = class_of_[id].load(std::memory_order_relaxed);
  if (known != kUnset) return known;
  uint32_t at = id;
  for (int i = 0; i < kMaxClimb; ++i) {
    const uint32_t next = Step(at);
    if (next == at) break;
    at = next;
  }
  class_of_[id].store(at, std::memory_order_relaxed);
  return at;
}

namespace {

// The classes of recently seen words, per thread: running text repeats its
// words (Zipf), and a hit skips the vocabulary lookup, the costliest step.
// Slots are keyed by the 64-bit hash of the lookup key.
struct ClassMemo {
  static constexpr size_t kSlots = 16384;
  struct Slot {
    uint64_t key = 0;
    uint32_t word_class = 0;
    bool content = false;
    bool used = false;
  };
  const WordClasses* owner = nullptr;
  std::vector<Slot> slots = std::vector<Slot>(kSlots);
};

}  // namespace

ClassedText WordClasses::Classify(std::string_view text) const {
  thread_local ClassMemo memo;
  if (memo.owner != this) {
    memo.slots.assign(ClassMemo::kSlots, {});
    memo.owner = this;
  }
  ClassedText result;
  const text::TokenizedText tokenized = text::Tokenize(text);
  result.words.reserve(tokenized.tokens.size());
  std::string key;
  for (const text::Token& token : tokenized.tokens) {
    if (token.kind != text::TokenKind::kWord && token.kind != text::TokenKind::kNumber) continue;
    key.clear();
    text::AppendLookupKey(text.substr(token.begin, token.end - token.begin), &key);
    ClassedWord word{token.begin, token.end, 0, HashBytes(key), true};
    ClassMemo::Slot& slot =
        memo.slots[(word.word_key ^ (word.word_key >> 32)) & (ClassMemo::kSlots - 1)];
    if (slot.used && slot.key == word.word_key) {
      word.word_class = slot.word_class;
      word.content = slot.content;
      result.words.push_back(word);
      continue;
    }
    // A number is itself, even where the vocabulary has it ("18"): spinners
    // leave numbers alone, and the alignment tells them from words.
    const std::optional<WordId> id =
        token.kind == text::TokenKind::kNumber ? std::nullopt : model_.vocabulary().Find(key);
    if (id && ToIndex(*id) < size_ && *id != kUnknownWord &&
        ClassOf(ToIndex(*id)) < kOutOfVocabularyBit) {
      word.word_class = ClassOf(ToIndex(*id));
      word.content = !model_.IsFunctionWord(*id);
    } else {
      word.word_class = static_cast<uint32_t>(word.word_key & (kNumberBit - 1)) |
                        kOutOfVocabularyBit |
                        (token.kind == text::TokenKind::kNumber ? kNumberBit : 0);
    }
    slot = {word.word_key, word.word_class, word.content, true};
    result.words.push_back(word);
  }
  return result;
}

uint64_t ShingleKey(uint32_t first_class, uint32_t second_class) {
  const uint64_t pair[2] = {first_class, second_class};
  return XXH3_64bits(pair, sizeof(pair));
}

void SampledShingles(const ClassedText& text, uint32_t modulus, std::vector<uint64_t>* out) {
  uint32_t previous = 0;
  bool have_previous = false;
  for (const ClassedWord& word : text.words) {
    if (!word.content) continue;
    if (have_previous) {
      const uint64_t key = ShingleKey(previous, word.word_class);
      if (key % modulus == 0) out->push_back(key);
    }
    previous = word.word_class;
    have_previous = true;
  }
}

std::vector<uint32_t> ClassCodes(const ClassedText& text) {
  std::vector<uint32_t> codes;
  codes.reserve(text.words.size());
  for (const ClassedWord& word : text.words) codes.push_back(ClassCode(word));
  return codes;
}

}  // namespace unspin::source
