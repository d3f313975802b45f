// The article spinner used as an adversary in evaluation (styles: spinner.h).
//
// Invariants: edits are collected left to right and each starts at or after
// the end of the previous one, so they never overlap; every edit starts and
// ends on token boundaries of the input, and the bytes between edits are
// copied unchanged, so Change offsets index both texts exactly. All random
// choices come from one SplitMix64 stream seeded by (seed, document index)
// and are drawn in input order: the output depends on nothing else.
#include "unspin/simulate/spinner.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <unordered_set>
#include <utility>

#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"
#include "unspin/text/utf8.h"

namespace unspin::simulate {
namespace {

using lexicon::Edge;
using lexicon::Inflection;
using lexicon::LemmaReading;
using lexicon::PartOfSpeech;
using lexicon::Relation;

// Below this log10 unigram frequency the language model does not know a word;
// spinners' dictionaries hold words people use, so such targets are skipped.
constexpr float kUnknownLog10Frequency = -8.0f;
constexpr size_t kMaxPhraseWords = 3;
// kPhrase: probability of picking a target whose word count differs from the
// source's when there is one (phrase spinners like "in spite of" for "despite").
constexpr double kPreferOtherLength = 0.7;
// kSparse: a target at most this much more frequent (log10) than its source.
constexpr float kSparseMaxLog10FrequencyGain = 1.0f;

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
// generators", OOPSLA 2014): the same stream on every platform.
// FNV-1a: a hash of a word that no platform's std::hash changes.
uint64_t KeyHash(std::string_view key) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : key) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  return hash;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix(state_);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double probability) { return Uniform() < probability; }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

// Function words: spinners leave them alone (except the phrase artefacts).
const std::unordered_set<std::string_view>& StopWords() {
  static const auto* const kWords = new std::unordered_set<std::string_view>{
      "a",       "an",        "the",     "and",    "or",      "but",   "nor",     "so",
      "yet",     "for",       "of",      "in",     "on",      "at",    "to",      "from",
      "by",      "with",      "without", "within", "into",    "onto",  "upon",    "about",
      "above",   "below",     "over",    "under",  "between", "among", "through", "during",
      "before",  "after",     "since",   "until",  "as",      "than",  "then",    "that",
      "this",    "these",     "those",   "there",  "here",    "which", "who",     "whom",
      "whose",   "what",      "when",    "where",  "why",     "how",   "whether", "if",
      "because", "although",  "though",  "while",  "i",       "me",    "my",      "mine",
      "we",      "us",        "our",     "ours",   "you",     "your",  "yours",   "he",
      "him",     "his",       "she",     "her",    "hers",    "it",    "its",     "they",
      "them",    "their",     "theirs",  "be",     "am",      "is",    "are",     "was",
      "were",    "been",      "being",   "have",   "has",     "had",   "having",  "do",
      "does",    "did",       "doing",   "will",   "would",   "shall", "should",  "can",
      "could",   "may",       "might",   "must",   "not",     "no",    "all",     "any",
      "both",    "each",      "every",   "few",    "more",    "most",  "other",   "some",
      "such",    "own",       "same",    "very",   "also",    "just",  "only",    "too",
      "one",     "two",       "three",   "it's",   "don't",   "mr.",   "mrs.",    "ms.",
      "s",       "t",         "said",    "says",   "say",     "per",   "against", "up",
      "down",    "out",       "off",     "again",  "further", "once",  "itself",  "himself",
      "herself", "themselves"};
  return *kWords;
}

bool IsAuxiliary(std::string_view key) {
  static const std::array<std::string_view, 15> kAuxiliaries = {
      "has",   "had", "have",  "is",     "was", "were",  "are", "will",
      "would", "can", "could", "should", "may", "might", "must"};
  return std::find(kAuxiliaries.begin(), kAuxiliaries.end(), key) != kAuxiliaries.end();
}

constexpr std::array<std::string_view, 5> kFillers = {"actually", "really", "truly", "certainly",
                                                      "indeed"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kNumberWords = {{
    {"two", "2"},       {"three", "3"},     {"four", "4"},      {"five", "5"},
    {"six", "6"},       {"seven", "7"},     {"eight", "8"},     {"nine", "9"},
    {"ten", "10"},      {"eleven", "11"},   {"twelve", "12"},   {"thirteen", "13"},
    {"fourteen", "14"}, {"fifteen", "15"},  {"sixteen", "16"},  {"seventeen", "17"},
    {"eighteen", "18"}, {"nineteen", "19"}, {"twenty", "20"},   {"thirty", "30"},
    {"forty", "40"},    {"fifty", "50"},    {"hundred", "100"}, {"thousand", "1000"},
}};

// Surface form as written (case-sensitive) -> expansion.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kAbbreviations = {{
    {"U.S.", "United States"},
    {"US", "United States"},
    {"U.N.", "United Nations"},
    {"UN", "United Nations"},
    {"U.K.", "United Kingdom"},
    {"UK", "United Kingdom"},
    {"EU", "European Union"},
    {"E.U.", "European Union"},
}};

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// "an" before a written vowel, "a" otherwise: the spelling rule cheap spinners
// and this simulator apply ("an hour" stays as it was: see FixArticle).
std::string_view ArticleFor(std::string_view word) {
  return !word.empty() && std::string_view("aeiouAEIOU").find(word[0]) != std::string_view::npos
             ? "an"
             : "a";
}

struct Unit {  // one word or number token
  uint32_t token = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string key;
  WordId id = kUnknownWord;
  bool word = false;              // TokenKind::kWord (not a number)
  bool capitalised = false;       // first byte A-Z
  bool all_caps = false;          // two or more letters, none lower-case
  bool sentence_initial = false;  // first word of its sentence
  bool sentence_final = false;    // its token is the sentence's last
  bool adjacent = false;          // the previous token is the previous unit
  bool quote_ok = false;          // outside quotes, or quoted but drawn as changeable
  bool allowed = false;           // may be rewritten (quotes and names checked)
  bool content = false;           // allowed, a known non-function word
};

struct Edit {
  uint32_t begin;
  uint32_t end;
  std::string replacement;
};

class DocumentSpinner {
 public:
  DocumentSpinner(const model::Model& model, const SpinOptions& options, std::string_view input,
                  uint64_t seed)
      : model_(model), lexicon_(model.lexicon()), options_(options), input_(input), rng_(seed) {}

  std::vector<Edit> Run() {
    CollectUnits();
    switch (options_.style) {
      case Style::kThesaurus:
        RunThesaurus();
        break;
      case Style::kPhrase:
        RunPhrase();
        break;
      case Style::kSparse:
        RunSparse();
        break;
    }
    return std::move(edits_);
  }

 private:
  void CollectUnits() {
    text::TokenizedText tokens = text::Tokenize(input_);
    const Vocabulary& vocab = model_.vocabulary();
    for (uint32_t t = 0; t < tokens.tokens.size(); ++t) {
      const text::Token& token = tokens.tokens[t];
      if (token.kind != text::TokenKind::kWord && token.kind != text::TokenKind::kNumber) continue;
      const text::Sentence& sentence = tokens.sentences[token.sentence];
      Unit unit;
      unit.token = t;
      unit.begin = token.begin;
      unit.end = token.end;
      std::string_view bytes = Bytes(unit);
      text::AppendLookupKey(bytes, &unit.key);
      unit.id = vocab.Find(unit.key).value_or(kUnknownWord);
      unit.word = token.kind == text::TokenKind::kWord;
      unit.capitalised = IsUpper(bytes[0]);
      int letters = 0;
      bool lower = false;
      for (char c : bytes) {
        letters += IsUpper(c) || IsLower(c);
        lower |= IsLower(c);
      }
      unit.all_caps = letters >= 2 && !lower;
      unit.sentence_initial = units_.empty() || units_.back().token < sentence.first_token;
      unit.sentence_final = t + 1 == sentence.first_token + sentence.token_count;
      unit.adjacent = !units_.empty() && units_.back().token + 1 == t;
      bool name_like = unit.capitalised && !unit.sentence_initial;
      // One draw per word for each exception, in input order.
      bool quote_ok = !token.quoted || rng_.Chance(options_.quoted_change_probability);
      bool name_ok = !name_like || rng_.Chance(options_.name_change_probability);
      unit.quote_ok = quote_ok;
      unit.allowed = unit.word && !unit.all_caps && quote_ok && name_ok;
      unit.content = unit.allowed && unit.id != kUnknownWord && !StopWords().contains(unit.key) &&
                     IsLowerWord(unit.key) && Known(unit.id);
      units_.push_back(std::move(unit));
    }
  }

  static bool IsLowerWord(std::string_view key) {
    return std::all_of(key.begin(), key.end(), [](char c) { return IsLower(c) || c == '\''; });
  }

  std::string_view Bytes(const Unit& unit) const {
    return input_.substr(unit.begin, unit.end - unit.begin);
  }

  bool Known(WordId id) const { return model_.Log10Frequency(id) > kUnknownLog10Frequency; }

  // Whether the dictionary of this style holds `edge`.
  bool StyleEdge(const Edge& edge) const {
    switch (options_.style) {
      case Style::kThesaurus:
        return (edge.sources & lexicon::kSourceMythes) != 0 &&
               (edge.relation == Relation::kSynonym || edge.relation == Relation::kSimilar);
      case Style::kPhrase:
        return (edge.sources & lexicon::kSourceWordNet) != 0 && edge.relation == Relation::kSynonym;
      case Style::kSparse:
        // The thesauri only: the adversary does not borrow the checker's own
        // closed-class groups.
        return (edge.sources & (lexicon::kSourceWordNet | lexicon::kSourceMythes)) != 0 &&
               edge.relation != Relation::kAntonym;
    }
    return false;
  }

  size_t MaxTargetWords() const { return options_.style == Style::kPhrase ? kMaxPhraseWords : 1; }

  // Appends the style's substitutes for units [first, first + length), each
  // re-inflected to the observed form of the source's head word.
  void Substitutes(size_t first, size_t length, std::vector<std::vector<WordId>>* out) const {
    std::vector<WordId> phrase;
    for (size_t k = first; k < first + length; ++k) phrase.push_back(units_[k].id);
    std::vector<std::pair<std::vector<WordId>, LemmaReading>> forms;
    if (length > 1) {
      forms.push_back({phrase, LemmaReading{phrase[0], PartOfSpeech::kOther, Inflection::kBase}});
    }
    if (length > 1 && model_.vocabulary().Word(phrase[0]) == "the") return;
    std::vector<LemmaReading> readings;
    for (size_t head : {size_t{0}, length - 1}) {
      readings.clear();
      lexicon_.Lemmatize(phrase[head], &readings);
      for (const LemmaReading& reading : readings) {
        if (length > 1 && (reading.pos == PartOfSpeech::kVerb) != (head == 0)) continue;
        std::vector<WordId> lemma_phrase = phrase;
        lemma_phrase[head] = reading.lemma;
        forms.push_back({std::move(lemma_phrase), reading});
      }
      if (length == 1) break;
    }
    size_t before = out->size();
    for (const auto& [words, reading] : forms) {
      std::optional<lexicon::EntryId> entry = lexicon_.FindEntry(words);
      if (!entry) continue;
      for (const Edge& edge : lexicon_.Neighbors(*entry)) {
        if (!StyleEdge(edge)) continue;
        if (reading.pos != PartOfSpeech::kOther &&
            (edge.source_pos != reading.pos || edge.pos != reading.pos)) {
          continue;
        }
        std::span<const WordId> target = lexicon_.EntryWords(edge.target);
        if (target.empty() || target.size() > MaxTargetWords()) continue;
        std::vector<WordId> candidate(target.begin(), target.end());
        if (!lexicon_.InflectPhrase(&candidate, reading.pos, reading.inflection)) continue;
        if (candidate == phrase) continue;
        // "the city" -> "City of London": entries led by "the" are names.
        if (candidate.size() > 1 && model_.vocabulary().Word(candidate[0]) == "the") continue;
        if (!std::all_of(candidate.begin(), candidate.end(), [this](WordId w) {
              return Known(w) || model_.vocabulary().Word(w) == "-";
            })) {
          continue;
        }
        if (candidate.size() == 1 && StopWords().contains(model_.vocabulary().Word(candidate[0]))) {
          continue;
        }
        out->push_back(std::move(candidate));
      }
    }
    std::sort(out->begin() + static_cast<std::ptrdiff_t>(before), out->end());
    out->erase(std::unique(out->begin() + static_cast<std::ptrdiff_t>(before), out->end()),
               out->end());
  }

  // The words as running text: spaces between words, none around hyphens;
  // the first letter upper-cased when the source's was.
  std::string Surface(std::span<const WordId> words, bool capitalise) const {
    std::string surface;
    std::string_view previous;
    for (WordId id : words) {
      std::string_view word = model_.vocabulary().Word(id);
      if (!surface.empty() && word != "-" && previous != "-") surface += ' ';
      surface += word;
      previous = word;
    }
    if (capitalise && !surface.empty() && IsLower(surface[0])) {
      surface[0] = static_cast<char>(surface[0] - 'a' + 'A');
    }
    return surface;
  }

  bool Free(const Unit& unit) const { return unit.begin >= last_end_; }

  void AddEdit(uint32_t begin, uint32_t end, std::string replacement) {
    last_end_ = end;
    edits_.push_back({begin, end, std::move(replacement)});
  }

  // Replaces unit i's `length` units with `replacement`. With fix_article, an
  // adjacent "a"/"an" before it is changed to agree (when it agreed before).
  void Replace(size_t i, size_t length, std::string replacement, bool fix_article) {
    uint32_t begin = units_[i].begin;
    if (fix_article && i > 0 && units_[i].adjacent && Free(units_[i - 1])) {
      const Unit& previous = units_[i - 1];
      std::string_view old_article = previous.key;
      if ((old_article == "a" || old_article == "an") &&
          old_article == ArticleFor(Bytes(units_[i])) && old_article != ArticleFor(replacement)) {
        std::string article(ArticleFor(replacement));
        if (previous.capitalised) article[0] = 'A';
        replacement =
            article + std::string(input_.substr(previous.end, begin - previous.end)) + replacement;
        begin = previous.begin;
      }
    }
    AddEdit(begin, units_[i + length - 1].end, std::move(replacement));
  }

  // kThesaurus: every content word with a MyThes synonym, at rate R, gets a
  // random one.
  void RunThesaurus() {
    std::vector<std::vector<WordId>> candidates;
    for (size_t i = 0; i < units_.size(); ++i) {
      if (!units_[i].content || !Free(units_[i])) continue;
      candidates.clear();
      Substitutes(i, 1, &candidates);
      if (candidates.empty()) continue;
      // Consistent: the word's own draw, the same in every document.
      Rng word_rng(Mix(options_.seed) ^ Mix(KeyHash(units_[i].key)));
      Rng& rng = options_.consistent ? word_rng : rng_;
      if (!rng.Chance(options_.rate)) continue;
      const std::vector<WordId>& pick = candidates[rng.Below(candidates.size())];
      Replace(i, 1, Surface(pick, units_[i].capitalised), /*fix_article=*/true);
    }
  }

  // kSparse: every N-th content word; a word without a related word passes
  // its turn to the next content word.
  void RunSparse() {
    if (options_.rate <= 0) return;
    const auto every = static_cast<size_t>(std::max(1.0, std::round(1.0 / options_.rate)));
    size_t count = rng_.Below(every);  // the phase, so documents do not all start alike
    bool due = false;
    std::vector<std::vector<WordId>> candidates;
    for (size_t i = 0; i < units_.size(); ++i) {
      if (!units_[i].content) continue;
      if (++count % every == 0) due = true;
      if (!due || !Free(units_[i])) continue;
      candidates.clear();
      Substitutes(i, 1, &candidates);
      // The most frequent related word, but not a generic one far more
      // frequent than the word itself ("repairs" -> "goes" reads as noise).
      const float limit = model_.Log10Frequency(units_[i].id) + kSparseMaxLog10FrequencyGain;
      const std::vector<WordId>* best = nullptr;
      for (const std::vector<WordId>& candidate : candidates) {
        float frequency = model_.Log10Frequency(candidate[0]);
        if (frequency > limit) continue;
        if (best == nullptr || frequency > model_.Log10Frequency((*best)[0])) best = &candidate;
      }
      if (best == nullptr) continue;
      Replace(i, 1, Surface(*best, units_[i].capitalised), /*fix_article=*/true);
      due = false;
    }
  }

  // kPhrase: WordNet phrase swaps and the artefacts of phrase spinners.
  void RunPhrase() {
    const double rate = options_.rate;
    std::vector<std::vector<WordId>> multi, single;
    std::vector<size_t> multi_lengths;
    for (size_t i = 0; i < units_.size(); ++i) {
      const Unit& unit = units_[i];
      if (!Free(unit)) continue;
      std::string_view bytes = Bytes(unit);

      // Expanded abbreviations ("U.S." -> "United States").
      if (auto it = std::find_if(kAbbreviations.begin(), kAbbreviations.end(),
                                 [bytes](const auto& entry) { return entry.first == bytes; });
          it != kAbbreviations.end() && unit.quote_ok) {
        if (rng_.Chance(std::min(1.0, 2 * rate))) {
          std::string expansion(it->second);
          // A sentence-final "U.S." carries the sentence's full stop.
          if (unit.sentence_final && bytes.back() == '.') expansion += '.';
          AddEdit(unit.begin, unit.end, std::move(expansion));
        }
        continue;
      }
      // Glued tokens: the space before a capitalised word dropped.
      if (unit.capitalised && !unit.sentence_initial && !unit.all_caps && unit.adjacent &&
          unit.quote_ok && units_[i - 1].quote_ok && i > 0 && Free(units_[i - 1]) &&
          units_[i - 1].word && IsLower(Bytes(units_[i - 1])[0]) &&
          units_[i - 1].end < unit.begin &&
          input_.substr(units_[i - 1].end, unit.begin - units_[i - 1].end) == " ") {
        if (rng_.Chance(0.2 * rate)) {
          const Unit& previous = units_[i - 1];
          AddEdit(previous.begin, unit.end, std::string(Bytes(previous)) + std::string(bytes));
          continue;
        }
      }
      // Number words <-> digits.
      if (unit.allowed || (!unit.word && unit.quote_ok)) {
        auto it = std::find_if(kNumberWords.begin(), kNumberWords.end(), [&unit](const auto& e) {
          return e.first == unit.key || e.second == unit.key;
        });
        if (it != kNumberWords.end() && (unit.allowed || unit.key == it->second)) {
          if (rng_.Chance(std::min(1.0, 2 * rate))) {
            bool to_digits = unit.key == it->first;
            std::string replacement(to_digits ? it->second : it->first);
            if ((unit.capitalised || unit.sentence_initial) && IsLower(replacement[0])) {
              replacement[0] = static_cast<char>(replacement[0] - 'a' + 'A');
            }
            AddEdit(unit.begin, unit.end, std::move(replacement));
          }
          continue;
        }
      }
      // Fillers after auxiliaries ("had" -> "had actually").
      if (unit.allowed && IsAuxiliary(unit.key) && i + 1 < units_.size() &&
          units_[i + 1].adjacent && units_[i + 1].content) {
        if (rng_.Chance(0.4 * rate)) {
          std::string replacement(bytes);
          replacement += ' ';
          replacement += kFillers[rng_.Below(kFillers.size())];
          AddEdit(unit.begin, unit.end, std::move(replacement));
          continue;
        }
      }
      // Phrase and word swaps: multi-word sources first.
      if (!unit.allowed || unit.id == kUnknownWord) continue;
      multi.clear();
      multi_lengths.clear();
      for (size_t length = kMaxPhraseWords; length >= 2; --length) {
        if (i + length > units_.size()) continue;
        bool usable = true, has_content = false;
        for (size_t k = i; k < i + length && usable; ++k) {
          usable =
              units_[k].allowed && units_[k].id != kUnknownWord && (k == i || units_[k].adjacent);
          has_content |= units_[k].content;
        }
        if (!usable || !has_content) continue;
        Substitutes(i, length, &multi);
        multi_lengths.resize(multi.size(), length);
      }
      if (!multi.empty() && rng_.Chance(std::min(1.0, 1.5 * rate))) {
        size_t pick = PickPreferringOtherLength(multi, multi_lengths);
        Replace(i, multi_lengths[pick], Surface(multi[pick], unit.capitalised),
                /*fix_article=*/false);
        continue;
      }
      if (!unit.content) continue;
      single.clear();
      Substitutes(i, 1, &single);
      if (single.empty() || !rng_.Chance(rate)) continue;
      std::vector<size_t> ones(single.size(), 1);
      size_t pick = PickPreferringOtherLength(single, ones);
      Replace(i, 1, Surface(single[pick], unit.capitalised), /*fix_article=*/false);
    }
  }

  // A random candidate; with probability kPreferOtherLength one whose word
  // count differs from its source's, when there is such a candidate.
  size_t PickPreferringOtherLength(const std::vector<std::vector<WordId>>& candidates,
                                   const std::vector<size_t>& source_lengths) {
    std::vector<size_t> other;
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (candidates[k].size() != source_lengths[k]) other.push_back(k);
    }
    if (!other.empty() && rng_.Chance(kPreferOtherLength)) return other[rng_.Below(other.size())];
    return rng_.Below(candidates.size());
  }

  const model::Model& model_;
  const lexicon::Lexicon& lexicon_;
  const SpinOptions& options_;
  std::string_view input_;
  Rng rng_;
  std::vector<Unit> units_;
  std::vector<Edit> edits_;
  uint32_t last_end_ = 0;
};

bool InUnitRange(double value) { return value >= 0.0 && value <= 1.0; }

}  // namespace

std::string_view StyleName(Style style) {
  switch (style) {
    case Style::kThesaurus:
      return "thesaurus";
    case Style::kPhrase:
      return "phrase";
    case Style::kSparse:
      return "sparse";
  }
  return "unknown";
}

Result<Style> ParseStyle(std::string_view name) {
  for (Style style : {Style::kThesaurus, Style::kPhrase, Style::kSparse}) {
    if (StyleName(style) == name) return style;
  }
  return InvalidArgumentError("unknown spinner style \"" + std::string(name) +
                              "\" (use thesaurus, phrase or sparse)");
}

Result<Spinner> Spinner::Create(const model::Model& model, const SpinOptions& options) {
  if (!InUnitRange(options.rate)) {
    return InvalidArgumentError("spin rate " + std::to_string(options.rate) + " is outside [0, 1]");
  }
  if (!InUnitRange(options.quoted_change_probability) ||
      !InUnitRange(options.name_change_probability)) {
    return InvalidArgumentError("spin probabilities must lie in [0, 1]");
  }
  if (options.consistent && options.style != Style::kThesaurus) {
    return InvalidArgumentError(
        "a consistent dictionary is a thesaurus-style option; use "
        "--style thesaurus");
  }
  return Spinner(model, options);
}

Result<SpinResult> Spinner::Spin(std::string_view input, uint64_t document_index) const {
  if (input.size() >= (uint64_t{1} << 31)) {
    return InvalidArgumentError("input of " + std::to_string(input.size()) +
                                " bytes is too large to spin (limit 2 GiB)");
  }
  UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(input));
  uint64_t seed = Mix(Mix(options_.seed) ^ Mix(document_index + 0x5851f42d4c957f2dULL));
  DocumentSpinner spinner(*model_, options_, input, seed);
  std::vector<Edit> edits = spinner.Run();

  SpinResult result;
  result.text.reserve(input.size() + input.size() / 8);
  uint32_t copied = 0;
  for (Edit& edit : edits) {
    result.text.append(input.substr(copied, edit.begin - copied));
    Change change;
    change.orig_start = edit.begin;
    change.orig_end = edit.end;
    change.spun_start = static_cast<uint32_t>(result.text.size());
    result.text += edit.replacement;
    change.spun_end = static_cast<uint32_t>(result.text.size());
    change.original = std::string(input.substr(edit.begin, edit.end - edit.begin));
    change.spun = std::move(edit.replacement);
    result.changes.push_back(std::move(change));
    copied = edit.end;
  }
  result.text.append(input.substr(copied));
  return result;
}

std::string KeyToJson(const SpinResult& result, uint64_t document_index) {
  // ordered_json: keys in the documented order, not sorted.
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& change : result.changes) {
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["orig_start"] = change.orig_start;
    entry["orig_end"] = change.orig_end;
    entry["spun_start"] = change.spun_start;
    entry["spun_end"] = change.spun_end;
    entry["original"] = change.original;
    entry["spun"] = change.spun;
    changes.push_back(std::move(entry));
  }
  nlohmann::ordered_json key = nlohmann::ordered_json::object();
  key["document"] = document_index;
  key["changes"] = std::move(changes);
  return key.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace unspin::simulate
