// First version of the noisy-channel checker (built out in the check issue).
//
// For every sentence, each word or short phrase gets candidate originals from
// the thesaurus graph (relations used in both directions, lemmatised and
// re-inflected to the observed form). A beam decoder over language-model
// states picks the wording that maximises log10 P_lm(words) minus a fixed
// change cost per replaced span; a span is reported when its replacement wins.
//
// Invariants: spans are non-overlapping and sorted; every span lies on token
// boundaries of the input; quoted tokens and mid-sentence capitalised words
// (names) are never changed.
#include "unspin/pipeline/check.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"
#include "unspin/text/utf8.h"

namespace unspin::pipeline {
namespace {

using lexicon::Edge;
using lexicon::Inflection;
using lexicon::LemmaReading;
using lexicon::PartOfSpeech;
using lexicon::Relation;

// Words at least this frequent (log10 unigram probability) are function words
// and very common verbs; spinners leave them alone and the thesaurus senses of
// them ("in" -> "indium") only add noise.
constexpr float kFunctionWordLog10Frequency = -2.3f;
constexpr float kUnknownLog10Frequency = -8.5f;
constexpr size_t kMaxPhraseWords = 3;
constexpr size_t kMaxCandidatesPerSpan = 40;

struct SentenceWord {
  uint32_t token;  // index into TokenizedText::tokens
  WordId id;
  bool changeable;
};

struct Candidate {
  uint32_t first;   // index into sentence words
  uint32_t length;  // observed words replaced
  std::vector<WordId> words;
};

struct Hypothesis {
  lm::LmState state;
  double score;
  int previous;   // arena index, -1 at the start
  int candidate;  // index into candidates, -1 = observed word kept
};

bool IsUsableRelation(Relation relation) {
  return relation != Relation::kAntonym && relation != Relation::kHypernym &&
         relation != Relation::kHyponym;
}

bool PartsOfSpeechAgree(PartOfSpeech a, PartOfSpeech b) {
  return a == b || a == PartOfSpeech::kOther || b == PartOfSpeech::kOther;
}

bool StartsUpper(std::string_view bytes) {
  return !bytes.empty() && bytes[0] >= 'A' && bytes[0] <= 'Z';
}

std::string MatchCase(std::string_view observed, std::string original) {
  if (StartsUpper(observed) && !original.empty() && original[0] >= 'a' && original[0] <= 'z') {
    original[0] = static_cast<char>(original[0] - 'a' + 'A');
  }
  return original;
}

class SentenceDecoder {
 public:
  SentenceDecoder(const model::Model& model, const CheckOptions& options, std::string_view input,
                  const text::TokenizedText& tokens)
      : model_(model), options_(options), input_(input), tokens_(tokens) {}

  void Decode(const text::Sentence& sentence, std::vector<SpunSpan>* spans, uint32_t* words) {
    CollectWords(sentence);
    *words += static_cast<uint32_t>(words_.size());
    if (words_.empty()) return;
    candidates_.clear();
    for (uint32_t i = 0; i < words_.size(); ++i) AddCandidates(i);
    std::vector<int> chosen = BestPath();
    Report(chosen, spans);
  }

 private:
  void CollectWords(const text::Sentence& sentence) {
    words_.clear();
    std::string key;
    for (uint32_t t = sentence.first_token; t < sentence.first_token + sentence.token_count; ++t) {
      const text::Token& token = tokens_.tokens[t];
      if (token.kind != text::TokenKind::kWord && token.kind != text::TokenKind::kNumber) continue;
      std::string_view bytes = input_.substr(token.begin, token.end - token.begin);
      key.clear();
      text::AppendLookupKey(bytes, &key);
      WordId id = model_.vocabulary().Find(key).value_or(kUnknownWord);
      // A word the language model has never seen cannot be judged: it is
      // scored as <unk> and left alone (names, abbreviations, rare words).
      if (!InLanguageModel(id)) id = kUnknownWord;
      bool name_like = StartsUpper(bytes) && !words_.empty();
      bool changeable =
          token.kind == text::TokenKind::kWord && !token.quoted && !name_like && id != kUnknownWord;
      words_.push_back({t, id, changeable});
    }
  }

  bool InLanguageModel(WordId word) const {
    return model_.Log10Frequency(word) > kUnknownLog10Frequency;
  }

  // Expands a lexicon entry reached through `reading` into re-inflected
  // candidate word sequences replacing words_[first, first + length).
  void ExpandEntry(lexicon::EntryId entry, const LemmaReading& reading, uint32_t first,
                   uint32_t length, std::vector<std::vector<WordId>>* out) const {
    const lexicon::Lexicon& lexicon = model_.lexicon();
    for (const Edge& edge : lexicon.Neighbors(entry)) {
      if (!IsUsableRelation(edge.relation) || !PartsOfSpeechAgree(edge.source_pos, reading.pos) ||
          !PartsOfSpeechAgree(edge.pos, reading.pos)) {
        continue;
      }
      std::span<const WordId> target = lexicon.EntryWords(edge.target);
      if (target.empty() || target.size() > kMaxPhraseWords) continue;
      std::vector<WordId> words(target.begin(), target.end());
      if (reading.inflection != Inflection::kBase) {
        // Verbs inflect their first word ("break down" -> "broke down"),
        // other parts of speech their last ("press reporter" -> "press reporters").
        size_t head = reading.pos == PartOfSpeech::kVerb ? 0 : words.size() - 1;
        std::optional<WordId> inflected =
            lexicon.Inflect(words[head], reading.pos, reading.inflection);
        if (!inflected) continue;
        words[head] = *inflected;
      }
      bool same = words.size() == length;
      for (size_t j = 0; same && j < words.size(); ++j) same = words[j] == words_[first + j].id;
      if (same) continue;
      if (!std::all_of(words.begin(), words.end(),
                       [this](WordId w) { return InLanguageModel(w); })) {
        continue;
      }
      out->push_back(std::move(words));
    }
  }

  void AddCandidates(uint32_t first) {
    const lexicon::Lexicon& lexicon = model_.lexicon();
    std::vector<LemmaReading> readings;
    for (uint32_t length = 1; length <= kMaxPhraseWords && first + length <= words_.size();
         ++length) {
      bool changeable = true;
      for (uint32_t j = first; j < first + length; ++j) changeable &= words_[j].changeable;
      if (!changeable) break;
      if (length == 1 && model_.Log10Frequency(words_[first].id) > kFunctionWordLog10Frequency) {
        continue;
      }
      std::vector<std::vector<WordId>> found;
      std::vector<WordId> phrase;
      for (uint32_t j = first; j < first + length; ++j) phrase.push_back(words_[j].id);
      // Readings of the phrase: the whole phrase as written, and with its head
      // word lemmatised (first word for verbs, last for nouns and adjectives).
      std::vector<std::pair<std::vector<WordId>, LemmaReading>> forms;
      forms.push_back({phrase, LemmaReading{phrase[0], PartOfSpeech::kOther, Inflection::kBase}});
      for (size_t head : {size_t{0}, phrase.size() - 1}) {
        readings.clear();
        lexicon.Lemmatize(phrase[head], &readings);
        for (const LemmaReading& reading : readings) {
          bool verb_head = head == 0;
          if (length > 1 && (reading.pos == PartOfSpeech::kVerb) != verb_head) continue;
          std::vector<WordId> lemma_phrase = phrase;
          lemma_phrase[head] = reading.lemma;
          forms.push_back({std::move(lemma_phrase), reading});
        }
        if (length == 1) break;
      }
      for (const auto& [words, reading] : forms) {
        std::optional<lexicon::EntryId> entry = lexicon.FindEntry(words);
        if (!entry) continue;
        ExpandEntry(*entry, reading, first, length, &found);
      }
      std::sort(found.begin(), found.end());
      found.erase(std::unique(found.begin(), found.end()), found.end());
      if (found.size() > kMaxCandidatesPerSpan) {
        std::partial_sort(found.begin(), found.begin() + kMaxCandidatesPerSpan, found.end(),
                          [this](const std::vector<WordId>& a, const std::vector<WordId>& b) {
                            return model_.Log10Frequency(a[0]) > model_.Log10Frequency(b[0]);
                          });
        found.resize(kMaxCandidatesPerSpan);
      }
      for (std::vector<WordId>& words : found) {
        candidates_.push_back({first, length, std::move(words)});
      }
    }
  }

  double ScoreWords(lm::LmState* state, std::span<const WordId> words) const {
    const lm::NgramModel& lm = model_.language_model();
    double total = 0;
    lm::LmState next;
    for (WordId word : words) {
      total += lm.Score(*state, word, &next);
      *state = next;
    }
    return total;
  }

  // Candidate indexes (or -1 for observed) per word on the best path.
  std::vector<int> BestPath() {
    const lm::NgramModel& lm = model_.language_model();
    const size_t n = words_.size();
    std::vector<std::vector<int>> by_first(n);
    for (size_t c = 0; c < candidates_.size(); ++c) {
      by_first[candidates_[c].first].push_back(static_cast<int>(c));
    }
    arena_.clear();
    std::vector<std::vector<int>> frontier(n + 1);
    arena_.push_back({lm.BeginSentence(), 0.0, -1, -1});
    frontier[0].push_back(0);
    for (size_t pos = 0; pos < n; ++pos) {
      Prune(&frontier[pos]);
      for (int h : frontier[pos]) {
        lm::LmState state = arena_[h].state;
        WordId observed = words_[pos].id;
        double score = arena_[h].score + ScoreWords(&state, std::span<const WordId>(&observed, 1));
        arena_.push_back({state, score, h, -1});
        frontier[pos + 1].push_back(static_cast<int>(arena_.size() - 1));
        for (int c : by_first[pos]) {
          const Candidate& candidate = candidates_[c];
          lm::LmState cand_state = arena_[h].state;
          double cand_score =
              arena_[h].score + ScoreWords(&cand_state, candidate.words) - options_.change_cost;
          arena_.push_back({cand_state, cand_score, h, c});
          frontier[pos + candidate.length].push_back(static_cast<int>(arena_.size() - 1));
        }
      }
    }
    int best = -1;
    double best_score = -1e300;
    for (int h : frontier[n]) {
      double score = arena_[h].score + lm.EndSentenceScore(arena_[h].state);
      if (score > best_score) {
        best_score = score;
        best = h;
      }
    }
    std::vector<int> chosen;
    for (int h = best; h > 0; h = arena_[h].previous) chosen.push_back(arena_[h].candidate);
    std::reverse(chosen.begin(), chosen.end());
    path_states_.clear();
    for (int h = best; h >= 0; h = arena_[h].previous) path_states_.push_back(arena_[h].state);
    std::reverse(path_states_.begin(), path_states_.end());
    return chosen;
  }

  void Prune(std::vector<int>* hypotheses) const {
    std::sort(hypotheses->begin(), hypotheses->end(),
              [this](int a, int b) { return arena_[a].score > arena_[b].score; });
    std::unordered_set<lm::LmState, lm::LmStateHash> seen;
    std::vector<int> kept;
    for (int h : *hypotheses) {
      if (kept.size() >= static_cast<size_t>(options_.beam_width)) break;
      if (seen.insert(arena_[h].state).second) kept.push_back(h);
    }
    *hypotheses = std::move(kept);
  }

  // log10 probability of `words` after `state`, followed by the next two
  // observed words so that the right context counts too.
  double LocalScore(lm::LmState state, std::span<const WordId> words, uint32_t next) const {
    double total = ScoreWords(&state, words);
    for (uint32_t j = next; j < words_.size() && j < next + 2; ++j) {
      total += ScoreWords(&state, std::span<const WordId>(&words_[j].id, 1));
    }
    if (next + 2 > words_.size()) total += model_.language_model().EndSentenceScore(state);
    return total;
  }

  std::string Surface(std::span<const WordId> words) const {
    std::string surface;
    for (WordId word : words) {
      if (!surface.empty()) surface += ' ';
      surface += model_.vocabulary().Word(word);
    }
    return surface;
  }

  void Report(const std::vector<int>& chosen, std::vector<SpunSpan>* spans) const {
    // path_states_[k] is the LM state before the k-th step of the path.
    uint32_t pos = 0;
    for (size_t step = 0; step < chosen.size(); ++step) {
      if (chosen[step] < 0) {
        ++pos;
        continue;
      }
      const Candidate& best = candidates_[chosen[step]];
      const lm::LmState& before = path_states_[step];
      std::vector<WordId> observed;
      for (uint32_t j = best.first; j < best.first + best.length; ++j) {
        observed.push_back(words_[j].id);
      }
      double observed_score = LocalScore(before, observed, best.first + best.length);
      std::vector<std::pair<double, std::string>> ranked;
      for (const Candidate& other : candidates_) {
        if (other.first != best.first || other.length != best.length) continue;
        double gain = LocalScore(before, other.words, best.first + best.length) - observed_score;
        ranked.emplace_back(gain, Surface(other.words));
      }
      std::sort(ranked.begin(), ranked.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      SpunSpan span;
      span.start = tokens_.tokens[words_[best.first].token].begin;
      span.end = tokens_.tokens[words_[best.first + best.length - 1].token].end;
      span.text = std::string(input_.substr(span.start, span.end - span.start));
      span.original = MatchCase(span.text, Surface(best.words));
      span.score = LocalScore(before, best.words, best.first + best.length) - observed_score;
      for (const auto& [gain, surface] : ranked) {
        if (static_cast<int>(span.alternatives.size()) >= options_.max_alternatives) break;
        if (gain <= 0) break;
        std::string alternative = MatchCase(span.text, surface);
        if (alternative != span.original) span.alternatives.push_back(std::move(alternative));
      }
      spans->push_back(std::move(span));
      pos += best.length;
    }
  }

  const model::Model& model_;
  const CheckOptions& options_;
  std::string_view input_;
  const text::TokenizedText& tokens_;
  std::vector<SentenceWord> words_;
  std::vector<Candidate> candidates_;
  std::vector<Hypothesis> arena_;
  std::vector<lm::LmState> path_states_;
};

// Uncalibrated first mapping from the share of replaced words to a
// probability (calibration on data is part of the check issue): about 0.5 at
// two replaced spans per 100 words, with 50 pseudo-words of prior so that a
// short text needs more than one change.
double SpunProbability(size_t spans, uint32_t words) {
  double rate = static_cast<double>(spans) / (static_cast<double>(words) + 50.0);
  return 1.0 / (1.0 + std::exp(-(rate - 0.02) * 200.0));
}

double Round4(double value) { return std::round(value * 1e4) / 1e4; }

}  // namespace

Checker::Checker(const model::Model& model, CheckOptions options)
    : model_(model), options_(options) {}

Result<CheckResult> Checker::Check(std::string_view input) const {
  if (input.size() >= (uint64_t{1} << 32)) {
    return InvalidArgumentError("input is larger than 4 GiB; split it into documents");
  }
  UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(input));
  text::TokenizedText tokens = text::Tokenize(input);
  CheckResult result;
  SentenceDecoder decoder(model_, options_, input, tokens);
  for (const text::Sentence& sentence : tokens.sentences) {
    decoder.Decode(sentence, &result.spans, &result.words);
  }
  result.spun_probability = SpunProbability(result.spans.size(), result.words);
  uint32_t copied = 0;
  for (const SpunSpan& span : result.spans) {
    result.restored.append(input.substr(copied, span.start - copied));
    result.restored.append(span.original);
    copied = span.end;
  }
  result.restored.append(input.substr(copied));
  return result;
}

std::string CheckResultToJson(const CheckResult& result) {
  nlohmann::ordered_json json;
  json["spun_probability"] = Round4(result.spun_probability);
  json["spans"] = nlohmann::ordered_json::array();
  for (const SpunSpan& span : result.spans) {
    nlohmann::ordered_json entry;
    entry["start"] = span.start;
    entry["end"] = span.end;
    entry["text"] = span.text;
    entry["original"] = span.original;
    entry["alternatives"] = span.alternatives;
    entry["score"] = Round4(span.score);
    json["spans"].push_back(std::move(entry));
  }
  json["restored"] = result.restored;
  json["debris"] = nlohmann::ordered_json::array();
  for (const DebrisSpan& debris : result.debris) {
    json["debris"].push_back({{"start", debris.start}, {"end", debris.end}, {"kind", debris.kind}});
  }
  return json.dump();
}

}  // namespace unspin::pipeline
