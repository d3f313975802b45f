// Invariants of LexiconBuilder::State between public calls:
// - word_offsets has entry_count + 1 non-decreasing values, starting at 0 and
//   ending at words.size(); every entry has at least one word; entry_by_key
//   maps each entry's words, joined by ' ', to its id.
// - pos_masks and common_masks have entry_count bytes; common_masks is a
//   subset of pos_masks (bits for readings that are not proper names).
// - edges is sorted by (source, relation, source_pos, pos, target) and has no
//   two records with that same key; for every edge the reverse edge (with the
//   inverse relation) is present with the same sources.
// - readings and inflections are generated from the above and the exception
//   lists by Regenerate(), sorted and unique as in layout.h.
#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lexicon/entry_text.h"
#include "lexicon/layout.h"
#include "lexicon/morphology.h"
#include "unspin/base/file.h"
#include "unspin/lexicon/lexicon.h"

namespace unspin::lexicon {
namespace {

using internal::InflectionRecord;
using internal::ReadingRecord;

struct RawEdge {
  uint32_t source;
  uint32_t target;
  uint8_t source_pos;
  uint8_t pos;
  uint8_t relation;
  uint8_t sources;
};

bool EdgeKeyLess(const RawEdge& a, const RawEdge& b) {
  if (a.source != b.source) return a.source < b.source;
  if (a.relation != b.relation) return a.relation < b.relation;
  if (a.source_pos != b.source_pos) return a.source_pos < b.source_pos;
  if (a.pos != b.pos) return a.pos < b.pos;
  return a.target < b.target;
}

bool EdgeKeyEqual(const RawEdge& a, const RawEdge& b) {
  return a.source == b.source && a.relation == b.relation && a.source_pos == b.source_pos &&
         a.pos == b.pos && a.target == b.target;
}

Relation Inverse(Relation relation) {
  switch (relation) {
    case Relation::kHypernym:
      return Relation::kHyponym;
    case Relation::kHyponym:
      return Relation::kHypernym;
    default:
      return relation;
  }
}

uint8_t PosBit(PartOfSpeech pos) { return static_cast<uint8_t>(1u << static_cast<unsigned>(pos)); }

// Splits a line on single spaces, skipping empty fields.
void SplitFields(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) fields->push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
}

template <typename T>
bool ParseNumber(std::string_view text, int base, T* value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value, base);
  return error == std::errc() && end == text.data() + text.size();
}

// Iterates the lines of a file's bytes, counting from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view bytes) : bytes_(bytes) {}
  bool Next(std::string_view* line) {
    if (pos_ >= bytes_.size()) return false;
    size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) end = bytes_.size();
    *line = bytes_.substr(pos_, end - pos_);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  uint64_t number() const { return number_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  uint64_t number_ = 0;
};

Status LineError(const std::string& path, uint64_t line, std::string_view what) {
  return InvalidArgumentError(path + ":" + std::to_string(line) + ": " + std::string(what));
}

struct WordNetFile {
  const char* data_name;
  const char* exc_name;
  PartOfSpeech pos;
};
constexpr std::array<WordNetFile, 4> kWordNetFiles = {{
    {"data.noun", "noun.exc", PartOfSpeech::kNoun},
    {"data.verb", "verb.exc", PartOfSpeech::kVerb},
    {"data.adj", "adj.exc", PartOfSpeech::kAdjective},
    {"data.adv", "adv.exc", PartOfSpeech::kAdverb},
}};

// The data file a pointer's part-of-speech letter refers to (s: adjective satellite).
int FileIndexOfPosLetter(std::string_view letter) {
  if (letter == "n") return 0;
  if (letter == "v") return 1;
  if (letter == "a" || letter == "s") return 2;
  if (letter == "r") return 3;
  return -1;
}

// WordNet pointer symbols (wninput(5WN)) the lexicon keeps; meronyms,
// holonyms, domains and instance links are not substitutes and are dropped.
std::optional<Relation> RelationOfPointer(std::string_view symbol) {
  if (symbol == "!") return Relation::kAntonym;
  if (symbol == "@") return Relation::kHypernym;
  if (symbol == "~") return Relation::kHyponym;
  if (symbol == "+") return Relation::kDerivation;
  if (symbol == "&") return Relation::kSimilar;
  if (symbol == "^") return Relation::kRelated;
  if (symbol == "$") return Relation::kVerbGroup;
  if (symbol == "\\") return Relation::kPertainym;
  if (symbol == "<") return Relation::kParticiple;
  if (symbol == "=") return Relation::kAttribute;
  if (symbol == "*") return Relation::kEntailment;
  if (symbol == ">") return Relation::kCause;
  return std::nullopt;
}

std::optional<PartOfSpeech> MythesPos(std::string_view text) {
  if (text == "(noun)") return PartOfSpeech::kNoun;
  if (text == "(verb)") return PartOfSpeech::kVerb;
  if (text == "(adj)") return PartOfSpeech::kAdjective;
  if (text == "(adv)") return PartOfSpeech::kAdverb;
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') return PartOfSpeech::kOther;
  return std::nullopt;
}

// Splits a MyThes term "decrease (generic term)" into its text and relation.
std::string_view ParseMythesTerm(std::string_view term, Relation* relation) {
  *relation = Relation::kSynonym;
  while (!term.empty() && term.back() == ' ') term.remove_suffix(1);
  if (term.empty() || term.back() != ')') return term;
  size_t open = term.rfind(" (");
  if (open == std::string_view::npos) return term;
  std::string_view note = term.substr(open + 2, term.size() - open - 3);
  if (note == "generic term") {
    *relation = Relation::kHypernym;
  } else if (note == "similar term") {
    *relation = Relation::kSimilar;
  } else if (note == "related term") {
    *relation = Relation::kRelated;
  } else if (note == "antonym") {
    *relation = Relation::kAntonym;
  }
  return term.substr(0, open);
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

struct LexiconBuilder::State {
  VocabularyBuilder* vocab = nullptr;
  std::unordered_map<std::string, uint32_t> entry_by_key;
  std::vector<uint32_t> word_offsets{0};
  std::vector<WordId> words;
  std::vector<uint8_t> pos_masks;
  std::vector<uint8_t> common_masks;
  uint64_t multiword = 0;
  std::vector<RawEdge> edges;
  // Per part of speech (noun, verb, adj, adv): lemma -> exception forms, file order.
  std::array<std::unordered_map<std::string, std::vector<std::string>>, 4> exceptions;
  std::vector<ReadingRecord> readings;
  std::vector<InflectionRecord> inflections;

  std::vector<std::string> scratch_words;
  std::string scratch_key;

  // The entry for `text`, added if new; nullopt if the text has no words.
  std::optional<uint32_t> InternEntry(std::string_view text) {
    internal::SplitEntryText(text, &scratch_words);
    if (scratch_words.empty()) return std::nullopt;
    scratch_key.clear();
    for (const std::string& word : scratch_words) {
      if (!scratch_key.empty()) scratch_key += ' ';
      scratch_key += word;
    }
    auto it = entry_by_key.find(scratch_key);
    if (it != entry_by_key.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(pos_masks.size());
    entry_by_key.emplace(scratch_key, id);
    for (const std::string& word : scratch_words) words.push_back(vocab->Intern(word));
    word_offsets.push_back(static_cast<uint32_t>(words.size()));
    pos_masks.push_back(0);
    common_masks.push_back(0);
    if (scratch_words.size() > 1) ++multiword;
    return id;
  }

  void MarkPos(uint32_t entry, PartOfSpeech pos, bool common) {
    pos_masks[entry] |= PosBit(pos);
    if (common) common_masks[entry] |= PosBit(pos);
  }

  void AddEdge(uint32_t source, uint32_t target, PartOfSpeech source_pos, PartOfSpeech pos,
               Relation relation, uint8_t source_bit) {
    if (source == target) return;
    edges.push_back({source, target, static_cast<uint8_t>(source_pos), static_cast<uint8_t>(pos),
                     static_cast<uint8_t>(relation), source_bit});
    edges.push_back({target, source, static_cast<uint8_t>(pos), static_cast<uint8_t>(source_pos),
                     static_cast<uint8_t>(Inverse(relation)), source_bit});
  }

  // Sorts the edges and merges duplicates, OR-ing their source bits.
  void DedupeEdges() {
    std::sort(edges.begin(), edges.end(), EdgeKeyLess);
    size_t out = 0;
    for (size_t i = 0; i < edges.size(); ++i) {
      if (out > 0 && EdgeKeyEqual(edges[out - 1], edges[i])) {
        edges[out - 1].sources |= edges[i].sources;
      } else {
        edges[out++] = edges[i];
      }
    }
    edges.resize(out);
    edges.shrink_to_fit();
  }
};

LexiconBuilder::LexiconBuilder(VocabularyBuilder* vocab) : state_(std::make_unique<State>()) {
  UNSPIN_CHECK(vocab != nullptr);
  state_->vocab = vocab;
}
LexiconBuilder::~LexiconBuilder() = default;
LexiconBuilder::LexiconBuilder(LexiconBuilder&&) noexcept = default;
LexiconBuilder& LexiconBuilder::operator=(LexiconBuilder&&) noexcept = default;

Status LexiconBuilder::AddWordNet(const std::string& dict_dir) {
  State& state = *state_;
  struct Synset {
    PartOfSpeech pos;
    uint32_t first;  // into synset_words
    uint32_t count;
  };
  struct Pointer {
    uint32_t synset;
    uint32_t target_offset;
    uint32_t line;
    uint8_t file;
    uint8_t target_file;
    uint8_t source_word;  // 1-based; 0 = every word of the synset
    uint8_t target_word;
    Relation relation;
  };
  std::vector<Synset> synsets;
  std::vector<uint32_t> synset_words;
  std::unordered_map<uint64_t, uint32_t> synset_by_key;  // file << 32 | offset
  std::vector<Pointer> pointers;
  std::vector<std::string> paths;
  std::vector<std::string_view> fields;

  for (size_t file = 0; file < kWordNetFiles.size(); ++file) {
    const WordNetFile& info = kWordNetFiles[file];
    std::string path = dict_dir + "/" + info.data_name;
    paths.push_back(path);
    UNSPIN_ASSIGN_OR_RETURN(std::string bytes, ReadRegularFile(path));
    LineReader lines(bytes);
    std::string_view line;
    while (lines.Next(&line)) {
      if (line.empty() || line[0] == ' ') continue;  // licence header lines start with spaces
      size_t bar = line.find(" | ");
      SplitFields(bar == std::string_view::npos ? line : line.substr(0, bar), &fields);
      uint64_t number = lines.number();
      uint32_t offset = 0;
      uint32_t word_count = 0;
      if (fields.size() < 4 || !ParseNumber(fields[0], 10, &offset)) {
        return LineError(path, number, "expected 'offset lex_filenum ss_type w_cnt ...'");
      }
      int ss_file = FileIndexOfPosLetter(fields[2]);
      if (ss_file != static_cast<int>(file)) {
        return LineError(
            path, number,
            "synset type '" + std::string(fields[2]) + "' does not belong in " + info.data_name);
      }
      if (!ParseNumber(fields[3], 16, &word_count) || word_count == 0 ||
          fields.size() < 4 + 2 * size_t{word_count} + 1) {
        return LineError(path, number, "bad word count '" + std::string(fields[3]) + "'");
      }
      uint32_t synset = static_cast<uint32_t>(synsets.size());
      if (!synset_by_key.emplace(uint64_t{file} << 32 | offset, synset).second) {
        return LineError(path, number, "duplicate synset offset " + std::string(fields[0]));
      }
      synsets.push_back({info.pos, static_cast<uint32_t>(synset_words.size()), word_count});
      for (uint32_t w = 0; w < word_count; ++w) {
        std::string_view word = fields[4 + 2 * w];
        // Adjective syntactic markers: "galore(ip)", "outback(a)", "ready_to_hand(p)".
        if (info.pos == PartOfSpeech::kAdjective && !word.empty() && word.back() == ')') {
          size_t open = word.rfind('(');
          if (open != std::string_view::npos && open > 0) word = word.substr(0, open);
        }
        std::optional<uint32_t> entry = state.InternEntry(word);
        if (!entry) return LineError(path, number, "empty word in synset");
        state.MarkPos(*entry, info.pos, !internal::HasUpperCase(word));
        synset_words.push_back(*entry);
      }
      size_t at = 4 + 2 * size_t{word_count};
      uint32_t pointer_count = 0;
      if (!ParseNumber(fields[at], 10, &pointer_count) ||
          fields.size() < at + 1 + 4 * size_t{pointer_count}) {
        return LineError(path, number, "bad pointer count '" + std::string(fields[at]) + "'");
      }
      ++at;
      for (uint32_t p = 0; p < pointer_count; ++p, at += 4) {
        std::optional<Relation> relation = RelationOfPointer(fields[at]);
        uint32_t target_offset = 0;
        uint32_t source_target = 0;
        int target_file = FileIndexOfPosLetter(fields[at + 2]);
        if (!ParseNumber(fields[at + 1], 10, &target_offset) || target_file < 0 ||
            fields[at + 3].size() != 4 || !ParseNumber(fields[at + 3], 16, &source_target)) {
          return LineError(path, number, "bad pointer " + std::to_string(p + 1));
        }
        if (!relation) continue;
        pointers.push_back({synset, target_offset, static_cast<uint32_t>(number),
                            static_cast<uint8_t>(file), static_cast<uint8_t>(target_file),
                            static_cast<uint8_t>(source_target >> 8),
                            static_cast<uint8_t>(source_target & 0xFF), *relation});
      }
    }
  }

  // Words of one synset are synonyms of each other.
  for (const Synset& synset : synsets) {
    for (uint32_t i = 0; i < synset.count; ++i) {
      for (uint32_t j = i + 1; j < synset.count; ++j) {
        state.AddEdge(synset_words[synset.first + i], synset_words[synset.first + j], synset.pos,
                      synset.pos, Relation::kSynonym, kSourceWordNet);
      }
    }
  }
  for (const Pointer& pointer : pointers) {
    auto it = synset_by_key.find(uint64_t{pointer.target_file} << 32 | pointer.target_offset);
    if (it == synset_by_key.end()) {
      return LineError(paths[pointer.file], pointer.line,
                       "pointer to missing synset " + std::to_string(pointer.target_offset));
    }
    const Synset& from = synsets[pointer.synset];
    const Synset& to = synsets[it->second];
    if (pointer.source_word > from.count || pointer.target_word > to.count) {
      return LineError(paths[pointer.file], pointer.line, "pointer word number out of range");
    }
    uint32_t from_begin = pointer.source_word == 0 ? 0 : pointer.source_word - 1u;
    uint32_t from_end = pointer.source_word == 0 ? from.count : pointer.source_word;
    uint32_t to_begin = pointer.target_word == 0 ? 0 : pointer.target_word - 1u;
    uint32_t to_end = pointer.target_word == 0 ? to.count : pointer.target_word;
    for (uint32_t i = from_begin; i < from_end; ++i) {
      for (uint32_t j = to_begin; j < to_end; ++j) {
        state.AddEdge(synset_words[from.first + i], synset_words[to.first + j], from.pos, to.pos,
                      pointer.relation, kSourceWordNet);
      }
    }
  }

  // Morphological exception lists: "form lemma [lemma ...]". Phrases are skipped
  // (morphology is per word); a missing list is allowed.
  for (size_t file = 0; file < kWordNetFiles.size(); ++file) {
    std::string path = dict_dir + "/" + kWordNetFiles[file].exc_name;
    Result<std::string> bytes = ReadRegularFile(path);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) continue;
      return bytes.status();
    }
    auto& lemma_forms = state.exceptions[file];
    LineReader lines(*bytes);
    std::string_view line;
    std::vector<std::string> form_words;
    std::vector<std::string> lemma_words;
    while (lines.Next(&line)) {
      SplitFields(line, &fields);
      if (fields.empty()) continue;
      if (fields.size() < 2) return LineError(path, lines.number(), "expected 'form lemma'");
      internal::SplitEntryText(fields[0], &form_words);
      if (form_words.size() != 1) continue;
      for (size_t i = 1; i < fields.size(); ++i) {
        internal::SplitEntryText(fields[i], &lemma_words);
        if (lemma_words.size() != 1) continue;
        std::vector<std::string>& forms = lemma_forms[lemma_words[0]];
        if (std::find(forms.begin(), forms.end(), form_words[0]) == forms.end()) {
          forms.push_back(form_words[0]);
        }
      }
    }
  }

  state.DedupeEdges();
  Regenerate();
  return Status::Ok();
}

// Groups of interchangeable closed-class words and phrases: prepositions,
// conjunctions and sentence connectives, each group one sense.
constexpr std::string_view kClosedClassGroups[] = {
    "during|throughout|in the course of",
    "despite|in spite of|notwithstanding",
    "between|in between",
    "about|regarding|concerning|with regard to",
    "before|prior to|ahead of",
    "after|following|subsequent to",
    "because of|due to|owing to",
    "toward|towards",
    "among|amongst",
    "via|through|by way of",
    "besides|apart from|aside from|in addition to",
    "instead of|rather than|in place of",
    "more than|over",
    "near|close to",
    "until|till",
    "but|however|yet",
    "although|though|even though",
    "while|whilst|whereas",
    "because|since",
    "so|therefore|thus|hence",
    "whether|if",
    "also|additionally|likewise|too|as well",
    "earlier|previously|formerly",
    "later|subsequently|afterwards|afterward",
    "now|currently|presently|at present",
    "mostly|largely|mainly|primarily",
    "nearly|almost|practically|virtually",
    "soon|shortly|before long",
    "each|every",
    "many|numerous",
};

void LexiconBuilder::AddClosedClassSynonyms() {
  State& state = *state_;
  std::vector<uint32_t> members;
  for (std::string_view group : kClosedClassGroups) {
    members.clear();
    size_t pos = 0;
    while (pos <= group.size()) {
      size_t end = std::min(group.find('|', pos), group.size());
      std::optional<uint32_t> entry = state.InternEntry(group.substr(pos, end - pos));
      UNSPIN_CHECK(entry.has_value());
      // A word the thesauri already read ("currently", an adverb) keeps only
      // their readings, which kOther edges agree with; a reading as kOther
      // would open every cross-part-of-speech edge of the word to its callers.
      if (state.pos_masks[*entry] == 0) state.MarkPos(*entry, PartOfSpeech::kOther, false);
      members.push_back(*entry);
      pos = end + 1;
    }
    for (size_t a = 0; a < members.size(); ++a) {
      for (size_t b = a + 1; b < members.size(); ++b) {
        state.AddEdge(members[a], members[b], PartOfSpeech::kOther, PartOfSpeech::kOther,
                      Relation::kSynonym, kSourceClosedClass);
      }
    }
  }
  state.DedupeEdges();
  Regenerate();
}

Status LexiconBuilder::AddMythes(const std::string& dat_path) {
  State& state = *state_;
  UNSPIN_ASSIGN_OR_RETURN(std::string raw, ReadRegularFile(dat_path));
  size_t first_end = raw.find('\n');
  std::string encoding = raw.substr(0, first_end);
  if (!encoding.empty() && encoding.back() == '\r') encoding.pop_back();
  for (char& c : encoding) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  std::string converted;
  std::string_view bytes = raw;
  if (encoding == "ISO8859-1" || encoding == "ISO-8859-1" || encoding == "ISO8859-15" ||
      encoding == "ISO-8859-15" || encoding == "LATIN1") {
    converted = internal::Latin1ToUtf8(raw);
    bytes = converted;
  } else if (encoding != "UTF-8" && encoding != "UTF8") {
    return InvalidArgumentError(dat_path + ":1: unsupported encoding '" + encoding +
                                "'; convert the thesaurus to UTF-8 or ISO8859-1");
  }

  LineReader lines(bytes);
  std::string_view line;
  lines.Next(&line);  // the encoding
  std::vector<std::string_view> terms;
  while (lines.Next(&line)) {
    if (line.empty()) continue;
    size_t bar = line.rfind('|');
    uint32_t meaning_count = 0;
    if (bar == std::string_view::npos || !ParseNumber(line.substr(bar + 1), 10, &meaning_count)) {
      return LineError(dat_path, lines.number(), "expected 'word|meaning count'");
    }
    std::string_view headword = line.substr(0, bar);
    std::optional<uint32_t> head = state.InternEntry(headword);
    if (!head) return LineError(dat_path, lines.number(), "empty headword");
    // Parts of speech with a meaning that does not spell the headword capitalised
    // ("Bacon"): those readings are common words and get inflected forms.
    uint8_t plain_pos = 0;
    for (uint32_t m = 0; m < meaning_count; ++m) {
      if (!lines.Next(&line)) {
        return LineError(dat_path, lines.number(),
                         "file ends inside the meanings of '" + std::string(headword) + "'");
      }
      terms.clear();
      size_t pos = 0;
      while (pos <= line.size()) {
        size_t end = line.find('|', pos);
        if (end == std::string_view::npos) end = line.size();
        terms.push_back(line.substr(pos, end - pos));
        pos = end + 1;
      }
      std::optional<PartOfSpeech> part = MythesPos(terms[0]);
      if (!part) {
        return LineError(dat_path, lines.number(), "expected '(pos)|term|...' meaning line");
      }
      bool capitalised_here = false;
      for (size_t t = 1; t < terms.size(); ++t) {
        Relation relation = Relation::kSynonym;
        std::string_view text = ParseMythesTerm(terms[t], &relation);
        std::optional<uint32_t> target = state.InternEntry(text);
        if (!target) continue;
        bool common = !internal::HasUpperCase(text);
        // A related term of an adjective is the noun it pertains to ("layer" for
        // "laminar"), whose part of speech MyThes does not give.
        PartOfSpeech target_pos =
            relation == Relation::kRelated && *part == PartOfSpeech::kAdjective
                ? PartOfSpeech::kOther
                : *part;
        state.MarkPos(*target, target_pos, common);
        if (*target == *head) {
          if (!common && EqualsIgnoringAsciiCase(text, headword)) capitalised_here = true;
          continue;
        }
        state.AddEdge(*head, *target, *part, target_pos, relation, kSourceMythes);
      }
      if (!capitalised_here) plain_pos |= PosBit(*part);
      state.MarkPos(*head, *part, false);
    }
    state.common_masks[*head] |= plain_pos;
  }

  state.DedupeEdges();
  Regenerate();
  return Status::Ok();
}

void LexiconBuilder::Regenerate() {
  State& state = *state_;
  state.readings.clear();
  state.inflections.clear();
  std::vector<internal::SlotForms> slots;
  std::vector<std::string> exceptions;
  for (uint32_t entry = 0; entry < state.pos_masks.size(); ++entry) {
    if (state.word_offsets[entry + 1] - state.word_offsets[entry] != 1) continue;
    WordId lemma_id = state.words[state.word_offsets[entry]];
    // A copy: interning below may move the vocabulary's strings.
    std::string lemma(state.vocab->Word(lemma_id));
    for (int p = 0; p < 4; ++p) {
      PartOfSpeech pos = static_cast<PartOfSpeech>(p);
      if ((state.pos_masks[entry] & PosBit(pos)) == 0) continue;
      // Adjectives and adverbs share comparison forms (far: farther; well: better).
      exceptions.clear();
      for (int list : {p, p == 2 ? 3 : p == 3 ? 2 : p}) {
        auto found = state.exceptions[list].find(lemma);
        if (found == state.exceptions[list].end()) continue;
        for (const std::string& form : found->second) {
          if (std::find(exceptions.begin(), exceptions.end(), form) == exceptions.end()) {
            exceptions.push_back(form);
          }
        }
      }
      bool regular = (state.common_masks[entry] & PosBit(pos)) != 0;
      internal::InflectLemma(lemma, pos, exceptions, regular, &slots);
      for (internal::SlotForms& slot : slots) {
        // A rule-made comparison that spells another word (lay -> layer, off ->
        // offer) is more likely that word: keep it only if the word can be an
        // adjective or adverb itself (late -> later).
        bool comparison = slot.inflection == Inflection::kComparative ||
                          slot.inflection == Inflection::kSuperlative;
        if (comparison && slot.from_rule) {
          auto other = state.entry_by_key.find(slot.preferred);
          if (other != state.entry_by_key.end() &&
              (state.pos_masks[other->second] &
               (PosBit(PartOfSpeech::kAdjective) | PosBit(PartOfSpeech::kAdverb))) == 0) {
            slot.preferred.clear();
          }
        }
        auto add_reading = [&](WordId form) {
          state.readings.push_back({ToIndex(form), ToIndex(lemma_id), static_cast<uint8_t>(pos),
                                    static_cast<uint8_t>(slot.inflection), 0});
        };
        if (!slot.preferred.empty()) {
          WordId form = state.vocab->Intern(slot.preferred);
          add_reading(form);
          state.inflections.push_back({ToIndex(lemma_id), static_cast<uint8_t>(pos),
                                       static_cast<uint8_t>(slot.inflection), 0, ToIndex(form)});
        }
        for (const std::string& other : slot.others) add_reading(state.vocab->Intern(other));
      }
    }
  }
  auto reading_key = [](const ReadingRecord& r) {
    return std::tuple(r.form, r.lemma, r.pos, r.inflection);
  };
  std::sort(state.readings.begin(), state.readings.end(),
            [&](const ReadingRecord& a, const ReadingRecord& b) {
              return reading_key(a) < reading_key(b);
            });
  state.readings.erase(std::unique(state.readings.begin(), state.readings.end(),
                                   [&](const ReadingRecord& a, const ReadingRecord& b) {
                                     return reading_key(a) == reading_key(b);
                                   }),
                       state.readings.end());
  auto inflection_key = [](const InflectionRecord& r) {
    return std::tuple(r.lemma, r.pos, r.inflection);
  };
  std::sort(state.inflections.begin(), state.inflections.end(),
            [&](const InflectionRecord& a, const InflectionRecord& b) {
              return inflection_key(a) < inflection_key(b);
            });
  // One lemma can be an entry only once, so keys are unique; keep the first if not.
  state.inflections.erase(std::unique(state.inflections.begin(), state.inflections.end(),
                                      [&](const InflectionRecord& a, const InflectionRecord& b) {
                                        return inflection_key(a) == inflection_key(b);
                                      }),
                          state.inflections.end());
}

LexiconStats LexiconBuilder::stats() const {
  const State& state = *state_;
  LexiconStats stats;
  stats.entries = state.pos_masks.size();
  stats.multiword_entries = state.multiword;
  stats.edges = state.edges.size();
  stats.morphology_forms = state.readings.size();
  return stats;
}

void LexiconBuilder::Serialize(SectionFileWriter* writer) const {
  const State& state = *state_;
  uint32_t entry_count = static_cast<uint32_t>(state.pos_masks.size());
  uint32_t word_id_limit = static_cast<uint32_t>(state.vocab->size());

  // LXEN
  uint32_t slot_count = 16;
  while (slot_count <= 2 * uint64_t{entry_count}) slot_count *= 2;
  std::vector<uint32_t> slots(slot_count, 0);
  for (uint32_t entry = 0; entry < entry_count; ++entry) {
    std::span<const WordId> words(state.words.data() + state.word_offsets[entry],
                                  state.word_offsets[entry + 1] - state.word_offsets[entry]);
    uint64_t slot = HashWordIds(words) & (slot_count - 1);
    while (slots[slot] != 0) slot = (slot + 1) & (slot_count - 1);
    slots[slot] = entry + 1;
  }
  internal::EntriesHeader entries_header{};
  entries_header.layout_version = internal::kLayoutVersion;
  entries_header.entry_count = entry_count;
  entries_header.word_total = static_cast<uint32_t>(state.words.size());
  entries_header.slot_count = slot_count;
  entries_header.word_id_limit = word_id_limit;
  ByteSink entries;
  entries.Put(entries_header);
  entries.PutArray(std::span<const uint32_t>(state.word_offsets));
  entries.PutArray(std::span<const WordId>(state.words));
  entries.PutArray(std::span<const uint32_t>(slots));
  entries.PutArray(std::span<const uint8_t>(state.pos_masks));
  writer->Add(internal::kEntriesTag, entries.Take());

  // LXED
  std::vector<uint32_t> edge_offsets(size_t{entry_count} + 1, 0);
  std::vector<Edge> edges;
  edges.reserve(state.edges.size());
  for (const RawEdge& raw : state.edges) {
    ++edge_offsets[raw.source + 1];
    edges.push_back({EntryId{raw.target}, static_cast<PartOfSpeech>(raw.pos),
                     static_cast<Relation>(raw.relation), raw.sources,
                     static_cast<PartOfSpeech>(raw.source_pos)});
  }
  for (size_t i = 1; i < edge_offsets.size(); ++i) edge_offsets[i] += edge_offsets[i - 1];
  internal::EdgesHeader edges_header{};
  edges_header.layout_version = internal::kLayoutVersion;
  edges_header.entry_count = entry_count;
  edges_header.edge_count = static_cast<uint32_t>(edges.size());
  ByteSink edge_sink;
  edge_sink.Put(edges_header);
  edge_sink.PutArray(std::span<const uint32_t>(edge_offsets));
  edge_sink.PutArray(std::span<const Edge>(edges));
  writer->Add(internal::kEdgesTag, edge_sink.Take());

  // LXMO
  internal::MorphologyHeader morphology_header{};
  morphology_header.layout_version = internal::kLayoutVersion;
  morphology_header.reading_count = static_cast<uint32_t>(state.readings.size());
  morphology_header.inflection_count = static_cast<uint32_t>(state.inflections.size());
  morphology_header.word_id_limit = word_id_limit;
  ByteSink morphology;
  morphology.Put(morphology_header);
  morphology.PutArray(std::span<const ReadingRecord>(state.readings));
  morphology.PutArray(std::span<const InflectionRecord>(state.inflections));
  writer->Add(internal::kMorphologyTag, morphology.Take());
}

}  // namespace unspin::lexicon
