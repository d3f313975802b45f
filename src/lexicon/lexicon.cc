// Invariants established by Lexicon::Open and relied on by every lookup:
// - word_offsets_ and edge_offsets_ have entry_count + 1 values, start at 0,
//   end at the size of words_ / edges_; word_offsets_ strictly increases (no
//   empty entry), edge_offsets_ never decreases.
// - every Edge has target < entry_count and in-range pos, source_pos and
//   relation; every stored WordId is below word_id_limit_.
// - slots_ has a power-of-two size > entry_count, so a probe meets an empty
//   slot; a non-empty slot holds entry + 1 <= entry_count. Probing is
//   nevertheless bounded by the slot count.
// - readings_ is strictly sorted by (form, lemma, pos, inflection) and
//   inflections_ by (lemma, pos, inflection).
// - inflection_starts_[b] is the first record of inflections_ whose lemma is
//   at least b << kInflectionBucketBits, for b up to word_id_limit_'s bucket + 1.
#include "unspin/lexicon/lexicon.h"

#include <algorithm>
#include <tuple>

#include "lexicon/layout.h"

namespace unspin::lexicon {
namespace {

using internal::InflectionRecord;
using internal::ReadingRecord;

Status Corrupt(std::string_view section, std::string_view what) {
  return CorruptionError("lexicon section " + std::string(section) + ": " + std::string(what));
}

Status CheckVersion(std::string_view section, uint32_t version) {
  if (version == internal::kLayoutVersion) return Status::Ok();
  return VersionMismatchError("lexicon section " + std::string(section) + ": layout version " +
                              std::to_string(version) + ", this build reads " +
                              std::to_string(internal::kLayoutVersion) +
                              "; rebuild the model with this version of unspin");
}

Result<std::string_view> GetSection(const SectionFile& file, uint32_t tag) {
  Result<std::string_view> bytes = file.Section(tag);
  if (!bytes.ok()) {
    return bytes.status().WithContext("lexicon: " + file.path() + " has no section " +
                                      SectionTagName(tag) + "; build the model with a lexicon");
  }
  return bytes;
}

auto ReadingKey(const ReadingRecord& r) { return std::tuple(r.form, r.lemma, r.pos, r.inflection); }
auto InflectionKey(const InflectionRecord& r) { return std::tuple(r.lemma, r.pos, r.inflection); }

}  // namespace

std::string_view PartOfSpeechName(PartOfSpeech pos) {
  switch (pos) {
    case PartOfSpeech::kNoun:
      return "noun";
    case PartOfSpeech::kVerb:
      return "verb";
    case PartOfSpeech::kAdjective:
      return "adj";
    case PartOfSpeech::kAdverb:
      return "adv";
    case PartOfSpeech::kOther:
      return "other";
  }
  return "?";
}

std::string_view InflectionName(Inflection inflection) {
  switch (inflection) {
    case Inflection::kBase:
      return "base";
    case Inflection::kPlural:
      return "plural";
    case Inflection::kThirdPersonSingular:
      return "3sg";
    case Inflection::kPast:
      return "past";
    case Inflection::kPastParticiple:
      return "past-participle";
    case Inflection::kPresentParticiple:
      return "present-participle";
    case Inflection::kComparative:
      return "comparative";
    case Inflection::kSuperlative:
      return "superlative";
  }
  return "?";
}

std::string_view RelationName(Relation relation) {
  switch (relation) {
    case Relation::kSynonym:
      return "synonym";
    case Relation::kSimilar:
      return "similar";
    case Relation::kHypernym:
      return "hypernym";
    case Relation::kHyponym:
      return "hyponym";
    case Relation::kDerivation:
      return "derivation";
    case Relation::kRelated:
      return "related";
    case Relation::kAntonym:
      return "antonym";
    case Relation::kVerbGroup:
      return "verb-group";
    case Relation::kPertainym:
      return "pertainym";
    case Relation::kParticiple:
      return "participle";
    case Relation::kAttribute:
      return "attribute";
    case Relation::kEntailment:
      return "entailment";
    case Relation::kCause:
      return "cause";
  }
  return "?";
}

Result<Lexicon> Lexicon::Open(const SectionFile& file) {
  Lexicon lexicon;

  // LXEN
  UNSPIN_ASSIGN_OR_RETURN(std::string_view entry_bytes, GetSection(file, internal::kEntriesTag));
  ByteSource entries(entry_bytes, "lexicon section LXEN");
  internal::EntriesHeader entries_header{};
  UNSPIN_RETURN_IF_ERROR(entries.Get(&entries_header));
  UNSPIN_RETURN_IF_ERROR(CheckVersion("LXEN", entries_header.layout_version));
  uint32_t entry_count = entries_header.entry_count;
  uint32_t slot_count = entries_header.slot_count;
  uint32_t word_id_limit = entries_header.word_id_limit;
  if (slot_count == 0 || (slot_count & (slot_count - 1)) != 0 || slot_count <= entry_count) {
    return Corrupt("LXEN", "bad slot count " + std::to_string(slot_count));
  }
  UNSPIN_RETURN_IF_ERROR(entries.GetArray(uint64_t{entry_count} + 1, &lexicon.word_offsets_));
  UNSPIN_RETURN_IF_ERROR(entries.GetArray(entries_header.word_total, &lexicon.words_));
  UNSPIN_RETURN_IF_ERROR(entries.GetArray(slot_count, &lexicon.slots_));
  UNSPIN_RETURN_IF_ERROR(entries.GetArray(entry_count, &lexicon.pos_masks_));
  if (entries.remaining() != 0) return Corrupt("LXEN", "trailing bytes");
  if (lexicon.word_offsets_[0] != 0 ||
      lexicon.word_offsets_[entry_count] != entries_header.word_total) {
    return Corrupt("LXEN", "word offsets do not span the word array");
  }
  for (uint32_t entry = 0; entry < entry_count; ++entry) {
    uint32_t begin = lexicon.word_offsets_[entry];
    uint32_t end = lexicon.word_offsets_[entry + 1];
    if (end <= begin) {
      return Corrupt("LXEN", "word offsets not increasing at entry " + std::to_string(entry));
    }
    lexicon.max_entry_words_ = std::max<size_t>(lexicon.max_entry_words_, end - begin);
    if (end - begin > 1) ++lexicon.multiword_entries_;
    if (lexicon.pos_masks_[entry] >= (1u << kPartOfSpeechCount)) {
      return Corrupt("LXEN", "bad part-of-speech mask at entry " + std::to_string(entry));
    }
  }
  for (WordId word : lexicon.words_) {
    if (ToIndex(word) >= word_id_limit) return Corrupt("LXEN", "word id out of range");
  }
  uint64_t used_slots = 0;
  for (uint32_t slot : lexicon.slots_) {
    if (slot > entry_count) return Corrupt("LXEN", "slot holds a bad entry id");
    if (slot != 0) ++used_slots;
  }
  if (used_slots != entry_count) return Corrupt("LXEN", "slot table does not hold every entry");

  // LXED
  UNSPIN_ASSIGN_OR_RETURN(std::string_view edge_bytes, GetSection(file, internal::kEdgesTag));
  ByteSource edges(edge_bytes, "lexicon section LXED");
  internal::EdgesHeader edges_header{};
  UNSPIN_RETURN_IF_ERROR(edges.Get(&edges_header));
  UNSPIN_RETURN_IF_ERROR(CheckVersion("LXED", edges_header.layout_version));
  if (edges_header.entry_count != entry_count) {
    return Corrupt("LXED", "entry count differs from LXEN");
  }
  UNSPIN_RETURN_IF_ERROR(edges.GetArray(uint64_t{entry_count} + 1, &lexicon.edge_offsets_));
  UNSPIN_RETURN_IF_ERROR(edges.GetArray(edges_header.edge_count, &lexicon.edges_));
  if (edges.remaining() != 0) return Corrupt("LXED", "trailing bytes");
  if (lexicon.edge_offsets_[0] != 0 ||
      lexicon.edge_offsets_[entry_count] != edges_header.edge_count) {
    return Corrupt("LXED", "edge offsets do not span the edge array");
  }
  for (uint32_t entry = 0; entry < entry_count; ++entry) {
    if (lexicon.edge_offsets_[entry + 1] < lexicon.edge_offsets_[entry]) {
      return Corrupt("LXED", "edge offsets decrease at entry " + std::to_string(entry));
    }
  }
  for (const Edge& edge : lexicon.edges_) {
    if (ToIndex(edge.target) >= entry_count ||
        static_cast<unsigned>(edge.pos) >= kPartOfSpeechCount ||
        static_cast<unsigned>(edge.source_pos) >= kPartOfSpeechCount ||
        static_cast<unsigned>(edge.relation) >= kRelationCount || edge.sources == 0 ||
        edge.sources > (kSourceWordNet | kSourceMythes | kSourceClosedClass)) {
      return Corrupt("LXED", "bad edge");
    }
  }

  // LXMO
  UNSPIN_ASSIGN_OR_RETURN(std::string_view morph_bytes, GetSection(file, internal::kMorphologyTag));
  ByteSource morphology(morph_bytes, "lexicon section LXMO");
  internal::MorphologyHeader morphology_header{};
  UNSPIN_RETURN_IF_ERROR(morphology.Get(&morphology_header));
  UNSPIN_RETURN_IF_ERROR(CheckVersion("LXMO", morphology_header.layout_version));
  if (morphology_header.word_id_limit != word_id_limit) {
    return Corrupt("LXMO", "word id limit differs from LXEN");
  }
  UNSPIN_RETURN_IF_ERROR(morphology.GetArray(morphology_header.reading_count, &lexicon.readings_));
  UNSPIN_RETURN_IF_ERROR(
      morphology.GetArray(morphology_header.inflection_count, &lexicon.inflections_));
  if (morphology.remaining() != 0) return Corrupt("LXMO", "trailing bytes");
  for (size_t i = 0; i < lexicon.readings_.size(); ++i) {
    const ReadingRecord& r = lexicon.readings_[i];
    if (r.form >= word_id_limit || r.lemma >= word_id_limit || r.pos >= kPartOfSpeechCount ||
        r.inflection >= kInflectionCount) {
      return Corrupt("LXMO", "bad reading " + std::to_string(i));
    }
    if (i > 0 && !(ReadingKey(lexicon.readings_[i - 1]) < ReadingKey(r))) {
      return Corrupt("LXMO", "readings not sorted at " + std::to_string(i));
    }
  }
  for (size_t i = 0; i < lexicon.inflections_.size(); ++i) {
    const InflectionRecord& r = lexicon.inflections_[i];
    if (r.form >= word_id_limit || r.lemma >= word_id_limit || r.pos >= kPartOfSpeechCount ||
        r.inflection >= kInflectionCount) {
      return Corrupt("LXMO", "bad inflection " + std::to_string(i));
    }
    if (i > 0 && !(InflectionKey(lexicon.inflections_[i - 1]) < InflectionKey(r))) {
      return Corrupt("LXMO", "inflections not sorted at " + std::to_string(i));
    }
  }
  lexicon.word_id_limit_ = word_id_limit;
  const size_t buckets = (word_id_limit >> kInflectionBucketBits) + 2;
  lexicon.inflection_starts_.resize(buckets);
  uint32_t record = 0;
  for (size_t bucket = 0; bucket < buckets; ++bucket) {
    while (record < lexicon.inflections_.size() &&
           (lexicon.inflections_[record].lemma >> kInflectionBucketBits) < bucket) {
      ++record;
    }
    lexicon.inflection_starts_[bucket] = record;
  }
  return lexicon;
}

std::optional<EntryId> Lexicon::FindEntry(std::span<const WordId> words) const {
  if (words.empty() || slots_.empty()) return std::nullopt;
  size_t mask = slots_.size() - 1;
  size_t slot = HashWordIds(words) & mask;
  for (size_t probe = 0; probe < slots_.size(); ++probe, slot = (slot + 1) & mask) {
    uint32_t value = slots_[slot];
    if (value == 0) return std::nullopt;
    EntryId entry{value - 1};
    std::span<const WordId> stored = EntryWords(entry);
    if (std::equal(stored.begin(), stored.end(), words.begin(), words.end())) return entry;
  }
  return std::nullopt;
}

std::span<const WordId> Lexicon::EntryWords(EntryId entry) const {
  uint32_t index = ToIndex(entry);
  if (index >= pos_masks_.size()) return {};
  return words_.subspan(word_offsets_[index], word_offsets_[index + 1] - word_offsets_[index]);
}

uint8_t Lexicon::EntryPartsOfSpeech(EntryId entry) const {
  uint32_t index = ToIndex(entry);
  return index < pos_masks_.size() ? pos_masks_[index] : 0;
}

std::span<const Edge> Lexicon::Neighbors(EntryId entry) const {
  uint32_t index = ToIndex(entry);
  if (index >= pos_masks_.size()) return {};
  return edges_.subspan(edge_offsets_[index], edge_offsets_[index + 1] - edge_offsets_[index]);
}

void Lexicon::Lemmatize(WordId form, std::vector<LemmaReading>* out) const {
  if (std::optional<EntryId> entry = FindEntry({&form, 1})) {
    uint8_t mask = EntryPartsOfSpeech(*entry);
    for (int pos = 0; pos < kPartOfSpeechCount; ++pos) {
      if ((mask & (1u << pos)) != 0) {
        out->push_back({form, static_cast<PartOfSpeech>(pos), Inflection::kBase});
      }
    }
  }
  auto first = std::lower_bound(readings_.begin(), readings_.end(), ToIndex(form),
                                [](const ReadingRecord& r, uint32_t key) { return r.form < key; });
  for (auto it = first; it != readings_.end() && it->form == ToIndex(form); ++it) {
    out->push_back({WordId{it->lemma}, static_cast<PartOfSpeech>(it->pos),
                    static_cast<Inflection>(it->inflection)});
  }
}

bool Lexicon::InflectPhrase(std::vector<WordId>* phrase, PartOfSpeech pos,
                            Inflection inflection) const {
  return InflectPhrase(std::span<WordId>(*phrase), pos, inflection);
}

bool Lexicon::InflectPhrase(std::span<WordId> phrase, PartOfSpeech pos,
                            Inflection inflection) const {
  if (inflection == Inflection::kBase || phrase.empty()) return true;
  size_t head = pos == PartOfSpeech::kVerb ? 0 : phrase.size() - 1;
  std::optional<WordId> inflected = Inflect(phrase[head], pos, inflection);
  if (!inflected) return false;
  phrase[head] = *inflected;
  return true;
}

std::optional<WordId> Lexicon::Inflect(WordId lemma, PartOfSpeech pos,
                                       Inflection inflection) const {
  if (inflection == Inflection::kBase) return lemma;
  auto key =
      std::tuple(ToIndex(lemma), static_cast<uint8_t>(pos), static_cast<uint8_t>(inflection));
  // Every record of this lemma lies in its bucket: a search in a cache line or so.
  const size_t bucket = ToIndex(lemma) >> kInflectionBucketBits;
  if (bucket + 1 >= inflection_starts_.size()) return std::nullopt;
  auto end = inflections_.begin() + inflection_starts_[bucket + 1];
  auto it = std::lower_bound(
      inflections_.begin() + inflection_starts_[bucket], end, key,
      [](const InflectionRecord& r, const auto& k) { return InflectionKey(r) < k; });
  if (it == end || InflectionKey(*it) != key) return std::nullopt;
  return WordId{it->form};
}

LexiconStats Lexicon::stats() const {
  LexiconStats stats;
  stats.entries = pos_masks_.size();
  stats.multiword_entries = multiword_entries_;
  stats.edges = edges_.size();
  stats.morphology_forms = readings_.size();
  return stats;
}

}  // namespace unspin::lexicon
