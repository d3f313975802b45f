// The lexicon: a thesaurus graph over words and multi-word phrases, plus
// English morphology, built from WordNet 3.0 and the MyThes English thesaurus.
//
// The candidate generator asks it "what could the spinner have replaced this
// word with?": lemmatise the observed form, walk the graph from the lemma's
// entry (every relation is stored in both directions, because spinners use
// thesauri backwards as often as forwards), and re-inflect each neighbour.
//
//   VocabularyBuilder vocab;
//   LexiconBuilder builder(&vocab);
//   UNSPIN_RETURN_IF_ERROR(builder.AddWordNet("/usr/share/wordnet"));
//   UNSPIN_RETURN_IF_ERROR(builder.AddMythes("/usr/share/mythes/th_en_US_v2.dat"));
//   SectionFileWriter writer(kModelMagic, kModelVersion);
//   builder.Serialize(&writer);                     // sections LXEN, LXED, LXMO
//   writer.Add(SectionTag("VOCB"), vocab.Serialize());  // after the lexicon: it interns
//   ...
//   UNSPIN_ASSIGN_OR_RETURN(Lexicon lexicon, Lexicon::Open(section_file));
//   std::vector<LemmaReading> readings;
//   lexicon.Lemmatize(declined_id, &readings);      // (decline, verb, past), ...
//   for (const LemmaReading& r : readings) {
//     std::optional<EntryId> entry = lexicon.FindEntry({&r.lemma, 1});
//     if (!entry) continue;
//     for (const Edge& edge : lexicon.Neighbors(*entry)) { ... }  // decrease, refuse, ...
//   }
//
// Entries are lower-cased phrases stored as WordIds of the shared vocabulary.
// Entry text is split the way the text tokenizer splits running text: on
// spaces and underscores, with '-' and other punctuation (except the
// apostrophe and the full stop) as tokens of their own, so "give_up" is
// [give, up], "military-to-military" is [military, -, to, -, military] and
// "o'clock" is one word.
//
// Morphology works on single words: Lemmatize and Inflect take one WordId. A
// phrase inflects through its head, the first word of a verb phrase ("gave
// up") and the last word of a noun phrase ("back yards"); callers compose
// that from the word-level calls.
//
// Section layouts: docs/formats/lexicon.md.
#ifndef UNSPIN_LEXICON_LEXICON_H_
#define UNSPIN_LEXICON_LEXICON_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/section_file.h"
#include "unspin/base/status.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lexicon {

enum class PartOfSpeech : uint8_t { kNoun = 0, kVerb = 1, kAdjective = 2, kAdverb = 3, kOther = 4 };
inline constexpr int kPartOfSpeechCount = 5;

enum class Inflection : uint8_t {
  kBase = 0,
  kPlural,               // nouns: yards
  kThirdPersonSingular,  // verbs: declines
  kPast,                 // verbs: declined, went
  kPastParticiple,       // verbs: declined, gone
  kPresentParticiple,    // verbs: declining
  kComparative,          // adjectives, adverbs: bigger
  kSuperlative,          // adjectives, adverbs: biggest
};
inline constexpr int kInflectionCount = 8;

// The kind of an edge, read from the source entry: "target is a <relation> of
// source". Hypernym and hyponym are each other's inverse; every other kind is
// its own inverse (an edge and its reverse carry the same kind).
enum class Relation : uint8_t {
  kSynonym = 0,      // same WordNet synset; MyThes plain synonym
  kSimilar = 1,      // WordNet similar-to (&); MyThes "(similar term)"
  kHypernym = 2,     // target is more general: WordNet @; MyThes "(generic term)"
  kHyponym = 3,      // target is more specific: WordNet ~
  kDerivation = 4,   // WordNet derivationally related form (+)
  kRelated = 5,      // WordNet also-see (^); MyThes "(related term)"
  kAntonym = 6,      // WordNet !; MyThes "(antonym)". Not a substitute: callers exclude it.
  kVerbGroup = 7,    // WordNet verb group ($): closely related verb senses
  kPertainym = 8,    // WordNet pertainym / derived-from-adjective (\)
  kParticiple = 9,   // WordNet participle of verb (<)
  kAttribute = 10,   // WordNet attribute (=): noun <-> adjective
  kEntailment = 11,  // WordNet entailment (*), either direction
  kCause = 12,       // WordNet cause (>), either direction
};
inline constexpr int kRelationCount = 13;

// Bits of Edge::sources.
inline constexpr uint8_t kSourceWordNet = 1;
inline constexpr uint8_t kSourceMythes = 2;
inline constexpr uint8_t kSourceClosedClass = 4;  // LexiconBuilder::AddClosedClassSynonyms

std::string_view PartOfSpeechName(PartOfSpeech pos);     // "noun", "verb", "adj", "adv", "other"
std::string_view InflectionName(Inflection inflection);  // "base", "plural", "3sg", "past", ...
std::string_view RelationName(Relation relation);        // "synonym", "similar", "hypernym", ...

enum class EntryId : uint32_t {};
inline uint32_t ToIndex(EntryId id) { return static_cast<uint32_t>(id); }

// One directed edge, stored in place in the mapped section (8 bytes, POD).
// `pos` is the part of speech under which the target is read, `source_pos` the
// one under which the source entry is read; they differ only for cross-POS
// kinds (derivation, pertainym, participle, attribute).
struct Edge {
  EntryId target;
  PartOfSpeech pos;
  Relation relation;
  uint8_t sources;  // kSource* bits: which thesauri gave the relation
  PartOfSpeech source_pos;
};
static_assert(sizeof(Edge) == 8);

struct LemmaReading {
  WordId lemma;
  PartOfSpeech pos;
  Inflection inflection;
  friend bool operator==(const LemmaReading&, const LemmaReading&) = default;
};

struct LexiconStats {
  uint64_t entries = 0;
  uint64_t multiword_entries = 0;  // entries of two or more words
  uint64_t edges = 0;              // directed edges (each relation counts twice)
  uint64_t morphology_forms = 0;   // (form, lemma, pos, inflection) readings, base forms excluded
};

// Builds the lexicon from thesaurus files. Not thread-safe. Interns every entry
// word and every inflected form into the vocabulary given at construction,
// which must outlive the builder; serialise the vocabulary after the lexicon.
class LexiconBuilder {
 public:
  explicit LexiconBuilder(VocabularyBuilder* vocab);
  ~LexiconBuilder();
  LexiconBuilder(LexiconBuilder&&) noexcept;
  LexiconBuilder& operator=(LexiconBuilder&&) noexcept;
  LexiconBuilder(const LexiconBuilder&) = delete;
  LexiconBuilder& operator=(const LexiconBuilder&) = delete;

  // Adds a WordNet 3.0 database directory (wndb(5) format): the synsets and
  // pointers of data.{noun,verb,adj,adv} and the morphological exception lists
  // {noun,verb,adj,adv}.exc (an absent .exc file is skipped). Errors: NotFound
  // or IOError for a data file, InvalidArgument naming file:line for a line
  // that does not parse. On error the builder may hold part of the data.
  Status AddWordNet(const std::string& dict_dir);

  // Adds a MyThes thesaurus (.dat: first line the encoding, UTF-8 or
  // ISO8859-1, then "word|count" blocks of "(pos)|term|term ..." lines).
  // Errors as for AddWordNet.
  Status AddMythes(const std::string& dat_path);

  // Adds synonyms among prepositions, conjunctions and connectives ("during"
  // - "throughout", "despite" - "in spite of", "but" - "however"), a few
  // dozen groups written into unspin: WordNet has no closed-class words and
  // MyThes few, yet spinners swap them as readily as nouns. Edges carry
  // kSourceClosedClass and PartOfSpeech::kOther on both ends; an entry new to
  // the lexicon is read as kOther, one the thesauri gave keeps its parts of
  // speech. Call it after AddWordNet and AddMythes.
  void AddClosedClassSynonyms();

  LexiconStats stats() const;

  // Adds the sections LXEN, LXED and LXMO to `writer`.
  void Serialize(SectionFileWriter* writer) const;

 private:
  struct State;
  void Regenerate();

  std::unique_ptr<State> state_;
};

namespace internal {
// Morphology records as stored in section LXMO (docs/formats/lexicon.md).
struct ReadingRecord {  // sorted by (form, lemma, pos, inflection), unique
  uint32_t form;
  uint32_t lemma;
  uint8_t pos;
  uint8_t inflection;
  uint16_t reserved;
};
static_assert(sizeof(ReadingRecord) == 12);
struct InflectionRecord {  // sorted by (lemma, pos, inflection), unique
  uint32_t lemma;
  uint8_t pos;
  uint8_t inflection;
  uint16_t reserved;
  uint32_t form;
};
static_assert(sizeof(InflectionRecord) == 12);
}  // namespace internal

// A read-only view of the lexicon sections of a SectionFile, which must
// outlive it (as must every span it returns). Copyable; thread-safe.
class Lexicon {
 public:
  // Validates every offset, id and sort order, so that no later call can read
  // out of bounds. Errors: NotFound (a section is missing), VersionMismatch
  // (layout version), Corruption (anything inconsistent).
  static Result<Lexicon> Open(const SectionFile& file);

  Lexicon() = default;

  // The entry spelled exactly `words` (lower-cased word ids), if any.
  std::optional<EntryId> FindEntry(std::span<const WordId> words) const;
  // The words of `entry`; empty for an id out of range.
  std::span<const WordId> EntryWords(EntryId entry) const;
  // Bit (1 << pos) set for each part of speech the entry has in a thesaurus.
  uint8_t EntryPartsOfSpeech(EntryId entry) const;
  // Every edge out of `entry`, sorted by (relation, source_pos, pos, target).
  // Both directions of each relation are stored, so this is the full
  // neighbourhood. Empty for an id out of range.
  std::span<const Edge> Neighbors(EntryId entry) const;
  size_t entry_count() const { return pos_masks_.size(); }
  size_t max_entry_words() const { return max_entry_words_; }
  // Every WordId the lexicon stores is below this: the vocabulary size when it
  // was built. A loader checks it against the vocabulary it pairs it with.
  uint32_t word_id_limit() const { return word_id_limit_; }

  // Appends to *out every reading of the surface form `form`: first the form
  // itself as kBase for each part of speech of its entry (if it is a one-word
  // entry), then its inflectional readings sorted by (lemma, pos, inflection).
  // "decreased" gives (decrease, verb, past), (decrease, verb, past participle)
  // and, because WordNet lists the adjective, (decreased, adj, base).
  void Lemmatize(WordId form, std::vector<LemmaReading>* out) const;

  // The surface form of `lemma` inflected as `inflection` for `pos`: the
  // preferred (US English) spelling when a word has variants. kBase returns
  // `lemma` itself. nullopt when the lexicon has no such form (the lemma is not
  // a one-word entry with that part of speech, or the slot does not apply).
  std::optional<WordId> Inflect(WordId lemma, PartOfSpeech pos, Inflection inflection) const;

  // Inflects a phrase in place through its head word: the first word of a
  // verb phrase ("break down" -> "broke down"), the last of any other
  // ("press reporter" -> "press reporters"). False (phrase unchanged) when
  // the head has no such form; kBase and empty phrases are left as they are.
  bool InflectPhrase(std::vector<WordId>* phrase, PartOfSpeech pos, Inflection inflection) const;
  // The same on words held elsewhere (a caller's fixed-size buffer).
  bool InflectPhrase(std::span<WordId> phrase, PartOfSpeech pos, Inflection inflection) const;

  LexiconStats stats() const;

 private:
  std::span<const uint32_t> word_offsets_;  // entry_count + 1
  std::span<const WordId> words_;
  std::span<const uint32_t> slots_;
  std::span<const uint8_t> pos_masks_;
  std::span<const uint32_t> edge_offsets_;  // entry_count + 1
  std::span<const Edge> edges_;
  std::span<const internal::ReadingRecord> readings_;
  std::span<const internal::InflectionRecord> inflections_;
  // Where each bucket of 2^kInflectionBucketBits lemma ids starts in
  // inflections_: Inflect reads one bucket (a cache line or so) instead of
  // binary-searching the array. Two ids a bucket: ~350 KB for the default
  // model; wider buckets cost the checker more misses than they save.
  static constexpr int kInflectionBucketBits = 1;
  std::vector<uint32_t> inflection_starts_;
  size_t max_entry_words_ = 0;
  uint64_t multiword_entries_ = 0;
  uint32_t word_id_limit_ = 0;
};

}  // namespace unspin::lexicon

#endif  // UNSPIN_LEXICON_LEXICON_H_
