// The noisy-channel checker.
//
// For every sentence, each word or short phrase gets candidate originals from
// the thesaurus graph (relations used in both directions, lemmatised and
// re-inflected to the observed form), each with a channel cost: the log10
// evidence the language model must supply before the change is made, higher
// for looser relations. Spinner artefacts add candidates of their own:
// fillers after auxiliaries ("had actually dropped") may be deleted, an
// article that disagrees with the next word ("an problem") makes candidates
// that agree with it cheaper (and counts as evidence where none wins), glued
// tokens ("inFebruary") are split, and a name spelled out before a noun where
// the document writes its dotted initialism ("United States Embassy" beside
// "U.S.") takes the initialism back. A
// beam decoder over language-model states picks the wording that maximises
// log10 P_lm(words) minus the channel costs; a span is reported when its
// replacement wins. The document is then read as a whole: a substitution
// restored in one place that gains in others too, and whose original the
// document never uses, is charged less (spinners apply their dictionary
// wherever a word recurs), and the sentences where it occurs are decoded
// again. Quoted words are scored but never changed, and carry no evidence:
// spinners leave quotations alone. A word whose best candidate fits far
// better than it does, but that no decoded path changes, is reported as
// flagged, not restored. The verdict counts, per word that has candidates,
// the words whose best candidate gains 2, 3, 4 and 5 log10 or more
// (DetectorInputs): contrast, not how rare a word is.
//
// Invariants: spans are non-overlapping and sorted; every span lies on token
// boundaries of the input; quoted tokens are never changed, nor are
// mid-sentence capitalised words (names) but for an expanded initialism.
#include "unspin/pipeline/check.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <compare>
#include <cstdio>
#include <deque>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "spinner_artefacts.h"
#include "unspin/base/check.h"
#include "unspin/extract/lines.h"
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

constexpr float kUnknownLog10Frequency = -8.5f;
constexpr size_t kMaxPhraseWords = 3;
constexpr size_t kMaxCandidatesPerSpan = 40;

static_assert(channel::kMaxPhraseWords <= kMaxPhraseWords);

// A wording of at most kMaxPhraseWords words, held inline: proposals are
// built, sorted and copied by the ten thousand per document, and heap vectors
// made that the largest part of checking. Orders like std::vector<WordId>.
class Phrase {
 public:
  Phrase() = default;
  explicit Phrase(std::span<const WordId> words) : size_(static_cast<uint8_t>(words.size())) {
    UNSPIN_DCHECK(words.size() <= kMaxPhraseWords);
    // Word by word: std::copy becomes a memmove call, slow for 4 to 12 bytes.
    for (size_t i = 0; i < kMaxPhraseWords; ++i) words_[i] = i < size_ ? words[i] : WordId{};
  }

  std::span<const WordId> view() const { return {words_.data(), size_}; }
  std::span<WordId> mutable_view() { return {words_.data(), size_}; }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  WordId operator[](size_t i) const { return words_[i]; }
  void push_back(WordId word) {
    UNSPIN_DCHECK(size_ < kMaxPhraseWords);
    words_[size_++] = word;
  }

  friend bool operator==(const Phrase& a, const Phrase& b) {
    return std::ranges::equal(a.view(), b.view());
  }
  friend std::strong_ordering operator<=>(const Phrase& a, const Phrase& b) {
    const size_t common = std::min(a.size_, b.size_);
    for (size_t i = 0; i < common; ++i) {
      if (a.words_[i] != b.words_[i]) return a.words_[i] <=> b.words_[i];
    }
    return a.size_ <=> b.size_;
  }

 private:
  std::array<WordId, kMaxPhraseWords> words_{};
  uint8_t size_ = 0;
};

struct PhraseHash {
  size_t operator()(const Phrase& phrase) const {
    uint64_t hash = 0x9e3779b97f4a7c15ULL ^ phrase.size();
    for (WordId word : phrase.view()) {
      hash = (hash ^ ToIndex(word)) * 0xbf58476d1ce4e5b9ULL;
      hash ^= hash >> 31;
    }
    return static_cast<size_t>(hash);
  }
};

// "The spinner wrote `spun` where the original had `original`": pooled over
// a document, because a spinner applies its dictionary the same way wherever
// the word recurs.
struct Substitution {
  Phrase spun;
  Phrase original;
  friend bool operator==(const Substitution&, const Substitution&) = default;
};

struct SubstitutionHash {
  size_t operator()(const Substitution& key) const {
    return PhraseHash()(key.spun) * 31 + PhraseHash()(key.original);
  }
};

// A phrase scored in context: `words` after `state`, then the observed words
// from index `next` (see LocalScore).
struct LocalItem {
  lm::LmState state;
  Phrase words;
  uint32_t next;
};

struct SentenceWord {
  uint32_t token;  // index into TokenizedText::tokens
  WordId id;
  bool changeable;
  // Inside quotation marks, and otherwise changeable: never changed, but its
  // candidates are scored, because how odd quoted words look is the yardstick
  // for the rest (spinners leave quotations alone). Quoted names and unknown
  // words are neither changeable nor measured.
  bool measured_quote;
  // For a digit 1-9 before a plural noun ("2 nations"): the word a news
  // writer spells it as ("two"), which spinners turn into the digit.
  WordId number_word = kUnknownWord;
  // The word as the lexicon knows it, where the language model does not (id
  // is then <unk>): a rare word a spinner took from a thesaurus
  // ("anthropomorphous" for "human"). Its candidates are judged against <unk>.
  WordId rare_word = kUnknownWord;
};

struct Candidate {
  uint32_t first;   // index into sentence words
  uint32_t length;  // observed words replaced
  Phrase words;     // empty: the observed word is deleted
  double cost;      // channel cost, log10
};

using Proposal = std::pair<Phrase, double>;  // words, channel cost

// A thread keeps the proposals of the phrases it has checked with one checker
// from one document to the next: proposals are a function of the phrase and
// the checker (its model and options), and words recur across documents as
// they do within one. Kept, they make a stream of distinct documents 1.3
// times as fast to check (docs/evaluation.md, Speed). Emptied when the thread
// checks with another checker. Between documents, once over
// kProposalCacheBytes, the phrases no later document has asked for since
// they were collected (or since the last such pruning) are dropped: the words
// that recur across documents stay, a document's own phrases go.
constexpr size_t kProposalCacheBytes = size_t{16} << 20;
// What a cached phrase costs beside its proposals: a map node (the phrase,
// its vector, its document and flag, links, hash) and its bucket.
constexpr size_t kCachedPhraseBytes = 72;

struct CachedProposals {
  std::vector<Proposal> proposals;
  uint64_t document = 0;    // ProposalCache::document when collected or last pruned
  bool used_later = false;  // asked for by a later document since then
};

struct ProposalCache {
  uint64_t checker = 0;   // Checker::cache_id_ of the checker they belong to
  size_t bytes = 0;       // about what `phrases` holds
  bool in_use = false;    // a decoder holds pointers into it: never emptied then
  uint64_t document = 0;  // counts the documents (windows) checked
  std::unordered_map<Phrase, CachedProposals, PhraseHash> phrases;

  static size_t BytesOf(const CachedProposals& cached) {
    return kCachedPhraseBytes + cached.proposals.capacity() * sizeof(Proposal);
  }

  void Clear() {
    std::unordered_map<Phrase, CachedProposals, PhraseHash>().swap(phrases);
    bytes = 0;
  }

  // Keeps the phrases a later document used since the last pruning; all go
  // when those alone still fill half the budget.
  void Prune() {
    std::erase_if(phrases, [](const auto& entry) { return !entry.second.used_later; });
    bytes = 0;
    for (auto& [phrase, cached] : phrases) {
      cached.used_later = false;
      cached.document = document;
      bytes += BytesOf(cached);
    }
    if (bytes > kProposalCacheBytes / 2) Clear();
  }
};

// This thread's cache, made ready for a document checked by `checker` and
// held (never emptied or pruned) until the handle is destroyed.
class HeldProposalCache {
 public:
  explicit HeldProposalCache(uint64_t checker) : cache_(ThreadCache()) {
    UNSPIN_CHECK(!cache_.in_use);
    if (cache_.checker != checker) {
      cache_.Clear();
      cache_.checker = checker;
    } else if (cache_.bytes > kProposalCacheBytes) {
      cache_.Prune();
    }
    ++cache_.document;
    cache_.in_use = true;
  }
  ~HeldProposalCache() { cache_.in_use = false; }
  HeldProposalCache(const HeldProposalCache&) = delete;
  HeldProposalCache& operator=(const HeldProposalCache&) = delete;

  ProposalCache& operator*() const { return cache_; }
  ProposalCache* operator->() const { return &cache_; }

 private:
  static ProposalCache& ThreadCache() {
    thread_local ProposalCache cache;
    return cache;
  }
  ProposalCache& cache_;
};

struct Hypothesis {
  lm::LmState state;
  double score;
  int previous;   // arena index, -1 at the start
  int candidate;  // index into candidates, -1 = observed word kept
};

// Extra log10 cost, on top of CheckOptions::change_cost, of restoring an
// original that relates to the observed word by `relation`; negative when the
// relation is not a substitute at all. Spinners mostly use synonyms, and
// replace a specific word by a more general one (so the original is a hyponym
// of what we observe) more often than the reverse.
double RelationCost(Relation relation) {
  switch (relation) {
    case Relation::kSynonym:
      return 0.0;
    case Relation::kSimilar:
    case Relation::kVerbGroup:
      return 0.5;
    case Relation::kRelated:
    case Relation::kHyponym:
      return 0.75;
    case Relation::kHypernym:
      return 2.0;
    case Relation::kDerivation:
    case Relation::kPertainym:
    case Relation::kParticiple:
    case Relation::kAttribute:
    case Relation::kEntailment:
    case Relation::kCause:
      return 1.5;
    case Relation::kAntonym:
      return -1.0;
  }
  return -1.0;
}

// Deleting an inserted filler word costs more than a substitution: the
// language model prefers shorter sentences by itself.
constexpr double kFillerDeletionCost = 1.0;
// An article that disagrees with the observed word ("an problem") is evidence
// that the word was swapped; candidates that agree with it get this discount.
constexpr double kArticleAgreementDiscount = 1.5;
// The evidence of a spinner's artefact the language model cannot weigh (an
// article disagreement no span explains, a name spelled out where the
// document abbreviates it): as much as a clear restoration. Originals almost
// never have one: about 1 in 100,000 words of the corpora each.
constexpr double kArtefactEvidence = 4.0;
// A lower-case word the language model does not know is judged when it has
// this many letters or more (shorter ones are mostly abbreviations).
constexpr size_t kMinRareWordLetters = 5;
// The extra log10 cost of replacing such a word: <unk>'s probability is that
// of all unknown words together, not of this one, and rare words of original
// prose (technical terms) often have a common synonym. Chosen on the fit
// sets: the learned genre's originals, rich in rare words, gain no flags
// from it.
constexpr double kRareWordCost = 3.0;
// A word is flagged as out of place, restored or not, when a candidate fits
// its context this much better (log10, beyond its relation cost); the
// verdict counts such words from 2 up (DetectorInputs).
constexpr double kMinFlagGain = 2.0;
// Flags shown: those of kShownFlagGain or more, and when a text is called
// spun with none of those, the ones from kMinFlagGain.
constexpr double kShownFlagGain = 3.0;
// Alternatives are reported while their net score (LM gain minus channel
// cost) is within this margin of changing the text themselves.
constexpr double kAlternativeMargin = 1.0;
// Candidates whose net score in the observed context is below minus this
// margin are not decoded.
constexpr double kPrefilterMargin = 3.0;
// A learned substitution costs change_cost - kChannelTrust plus
// kChannelLog10ProbWeight per unit of -log10 P(observed | original): at the
// default change cost, 1 + 0.5 per unit.
constexpr double kChannelTrust = 2.75;
constexpr double kChannelLog10ProbWeight = 0.5;
// At most this many candidates per (position, length) are decoded.
constexpr size_t kMaxDecodedCandidates = 8;
// Local scores kept from the first decoding of a document for decoding a
// piece again (8 bytes each: 16 MB).
constexpr size_t kMaxKeptScores = size_t{1} << 21;
// A quoted word's soft evidence is measured on this many of its candidates,
// the most frequent words.
constexpr size_t kMaxQuotedProposals = 8;
// Longer sentences are decoded in pieces of this many tokens, so that memory
// stays bounded whatever the input (real sentences are far shorter).
constexpr uint32_t kMaxDecodedTokens = 512;
// Per-span and per-word evidence is capped so that one absurd sentence does
// not decide a document.
constexpr double kDetectorScoreCap = 8.0;
// A spinner replaces a word of its dictionary wherever the word occurs, so a
// spun document repeats the same substitution and never uses the original.
// A substitution that gains at least kPooledMinGain (log10, beyond its
// relation cost) in kPooledMinOccurrences or more places, at least
// kPooledEvidenceRatio x the change cost in all, and whose original the
// document does not use anywhere, is charged kPooledCostRatio x the change
// cost wherever it occurs.
constexpr double kPooledMinGain = 1.0;
constexpr uint32_t kPooledMinOccurrences = 2;
constexpr double kPooledEvidenceRatio = 1.0;
constexpr double kPooledCostRatio = 0.4;

bool PartsOfSpeechAgree(PartOfSpeech a, PartOfSpeech b) {
  return a == b || a == PartOfSpeech::kOther || b == PartOfSpeech::kOther;
}

bool StartsUpper(std::string_view bytes) { return !bytes.empty() && IsAsciiUpper(bytes[0]); }

std::string MatchCase(std::string_view observed, std::string original) {
  if (StartsUpper(observed) && !original.empty() && original[0] >= 'a' && original[0] <= 'z') {
    original[0] = static_cast<char>(original[0] - 'a' + 'A');
  }
  return original;
}

// What decoding one piece of a document found.
struct PieceResult {
  std::vector<SpunSpan> spans;
  // Words out of place that the decoder left as they are (restored false,
  // score = the best guess's LM gain): those of kShownFlagGain or more (and
  // article disagreements), and those from kMinFlagGain.
  std::vector<SpunSpan> flagged;
  std::vector<SpunSpan> weak_flagged;
  uint32_t words = 0;
  DetectorFeatures features;
};

class SentenceDecoder {
 public:
  // Tokens inside `excluded` byte ranges (sorted page debris) are not read.
  SentenceDecoder(const model::Model& model, const CheckOptions& options, uint64_t checker,
                  const std::vector<bool>& in_language_model, std::string_view input,
                  const text::TokenizedText& tokens, const std::vector<DebrisSpan>& excluded)
      : model_(model),
        options_(options),
        in_language_model_(in_language_model),
        input_(input),
        tokens_(tokens),
        excluded_(excluded),
        proposals_(checker) {
    for (uint32_t t = 0; t < tokens_.tokens.size(); ++t) {
      const text::Token& token = tokens_.tokens[t];
      if (token.kind != text::TokenKind::kWord || IsExcluded(token.begin)) continue;
      std::string_view bytes = TokenText(t);
      std::string letters = InitialismLetters(bytes);
      if (letters.empty()) continue;
      auto same = std::ranges::find_if(
          initialisms_, [&](const Initialism& known) { return known.spelling == bytes; });
      if (same != initialisms_.end()) {
        ++same->count;
      } else {
        initialisms_.push_back({std::move(letters), std::string(bytes), 1});
      }
    }
  }

  // Decodes the `piece`-th piece of the document. The first decoding of each
  // piece also gathers the document's substitutions for PoolSubstitutions.
  void Decode(uint32_t piece, const text::Sentence& sentence, PieceResult* result) {
    std::vector<SpunSpan>* spans = &result->spans;
    DetectorFeatures* features = &result->features;
    uint32_t* words = &result->words;
    piece_ = piece;
    CollectWords(sentence);
    word_guesses_.assign(words_.size(), {});
    features->lower_case_words += lower_case_words_;
    features->unknown_lower_case_words += unknown_lower_case_words_;
    features->english_marker_words += english_marker_words_;
    features->foreign_marker_words += foreign_marker_words_;
    *words += static_cast<uint32_t>(words_.size());
    if (words_.empty()) return;
    candidates_.clear();
    // The proposals of every span first, then one lock-step scoring of all of
    // them (their language-model lookups overlap in memory), then the
    // candidates in sentence order.
    jobs_.clear();
    number_proposals_.clear();
    local_items_.clear();
    for (uint32_t i = 0; i < words_.size(); ++i) AddSpanJobs(i);
    // A piece decoded again scores the same phrases: its first scores are
    // reused while they fit in kMaxKeptScores.
    auto kept = kept_scores_.find(piece);
    if (kept != kept_scores_.end()) {
      local_scores_ = std::move(kept->second);
      kept_scores_.erase(kept);
    } else {
      LocalScores(local_items_, &local_scores_);
      if (gathering_ && kept_score_count_ + local_scores_.size() <= kMaxKeptScores) {
        kept_score_count_ += local_scores_.size();
        kept_scores_.emplace(piece, local_scores_);
      }
    }
    size_t job = 0;
    for (uint32_t i = 0; i < words_.size(); ++i) {
      best_gain_ = 0;
      has_candidates_ = false;
      guesses_.clear();
      for (; job < jobs_.size() && jobs_[job].first == i; ++job) AddCandidates(jobs_[job]);
      if (!guesses_.empty() && words_[i].number_word == kUnknownWord) KeepGuesses(i);
      AddFillerDeletion(i);
      // A digit's gain is the language model not knowing digits: no
      // evidence of spinning (many house styles write "2 nations").
      if (tokens_.tokens[words_[i].token].quoted) {
        ++features->quoted_words;
        features->quoted_soft_evidence += std::min(best_gain_, kDetectorScoreCap);
      } else if (words_[i].number_word == kUnknownWord) {
        features->soft_evidence += std::min(best_gain_, kDetectorScoreCap);
        if (has_candidates_) {
          ++features->eligible_words;
          for (size_t k = 0; k < features->gain_at_least.size(); ++k) {
            if (best_gain_ >= static_cast<double>(k + 1)) ++features->gain_at_least[k];
          }
        }
      }
    }
    std::vector<int> chosen = BestPath();
    Report(chosen, spans, features);
    MarkChanged(chosen);
    CountArticleDisagreements(result);
    Flag(result);
    for (SpunSpan& span : artefact_spans_) {
      AddEvidence(span, features);
      spans->push_back(std::move(span));
    }
    artefact_spans_.clear();
  }

  // Ends the gathering: the substitutions the whole document supports are
  // charged less from now on. Returns the pieces where they occur, in order,
  // to be decoded again.
  std::vector<uint32_t> PoolSubstitutions() {
    gathering_ = false;
    std::vector<uint32_t> pieces;
    for (const auto& [substitution, gain] : gains_) {
      if (gain.count < kPooledMinOccurrences || gain.best < options_.change_cost ||
          gain.total < kPooledEvidenceRatio * options_.change_cost ||
          Written(substitution.original)) {
        continue;
      }
      pooled_.insert(substitution);
      pieces.insert(pieces.end(), gain.pieces.begin(), gain.pieces.end());
    }
    std::sort(pieces.begin(), pieces.end());
    pieces.erase(std::unique(pieces.begin(), pieces.end()), pieces.end());
    return pieces;
  }

 private:
  void CollectWords(const text::Sentence& sentence) {
    words_.clear();
    lower_case_words_ = 0;
    unknown_lower_case_words_ = 0;
    english_marker_words_ = 0;
    foreign_marker_words_ = 0;
    const uint32_t sentence_end = sentence.first_token + sentence.token_count;
    for (uint32_t t = sentence.first_token; t < sentence_end; ++t) {
      const text::Token& token = tokens_.tokens[t];
      if (token.kind != text::TokenKind::kWord && token.kind != text::TokenKind::kNumber) continue;
      if (IsExcluded(token.begin)) continue;
      std::string_view bytes = TokenText(t);
      if (token.kind == text::TokenKind::kWord && !token.quoted && SplitGlued(t, bytes)) continue;
      if (uint32_t length = ExpandedInitialism(t, sentence_end); length > 0) {
        for (uint32_t k = t; k < t + length; ++k) {
          const WordId id = VocabularyId(TokenText(k));
          words_.push_back({k, InLanguageModel(id) ? id : kUnknownWord, false, false});
        }
        t += length - 1;
        continue;
      }
      WordId id = VocabularyId(bytes);
      const bool lower_case =
          token.kind == text::TokenKind::kWord && std::ranges::all_of(bytes, IsAsciiLower);
      // A word the language model has never seen is scored as <unk>. Names
      // and abbreviations are left alone; a lower-case word the thesaurus
      // knows is judged by how its candidates fit where it stands.
      WordId rare_word = kUnknownWord;
      if (!InLanguageModel(id)) {
        if (lower_case && !token.quoted && bytes.size() >= kMinRareWordLetters &&
            id != kUnknownWord) {
          rare_word = id;
        }
        id = kUnknownWord;
      }
      if (lower_case) {
        ++lower_case_words_;
        if (id == kUnknownWord) ++unknown_lower_case_words_;
        if (IsEnglishMarker(bytes)) ++english_marker_words_;
        if (IsForeignMarker(bytes)) ++foreign_marker_words_;
      }
      bool name_like = StartsUpper(bytes) && !words_.empty();
      const bool word = token.kind == text::TokenKind::kWord && !name_like &&
                        (id != kUnknownWord || rare_word != kUnknownWord);
      const WordId number_word = token.quoted || words_.empty() ? kUnknownWord : NumberWord(t);
      words_.push_back({t, id, (word && !token.quoted) || number_word != kUnknownWord,
                        word && token.quoted && id != kUnknownWord, number_word, rare_word});
    }
    if (!gathering_) return;
    for (const SentenceWord& word : words_) written_.push_back(word.id);
    written_.push_back(kUnknownWord);  // no phrase runs across pieces
  }

  bool Written(const Phrase& phrase) const {
    return std::search(written_.begin(), written_.end(), phrase.view().begin(),
                       phrase.view().end()) != written_.end();
  }

  // "one".."nine" for a lone digit token 1-9 followed, after a space, by a
  // plural noun ("2 nations", not "2 pct", "$2 billion", "2.5" or "2-1"); else
  // kUnknownWord.
  WordId NumberWord(uint32_t t) const {
    static constexpr std::string_view kNames[] = {"one", "two",   "three", "four", "five",
                                                  "six", "seven", "eight", "nine"};
    const text::Token& token = tokens_.tokens[t];
    if (token.kind != text::TokenKind::kNumber || token.end != token.begin + 1) return kUnknownWord;
    const char digit = input_[token.begin];
    if (digit < '1' || digit > '9' || t + 1 >= tokens_.tokens.size()) return kUnknownWord;
    if (t > 0 && !tokens_.tokens[t].space_before) return kUnknownWord;
    const text::Token& next = tokens_.tokens[t + 1];
    if (next.kind != text::TokenKind::kWord || !next.space_before) return kUnknownWord;
    const WordId noun = VocabularyId(TokenText(t + 1));
    if (noun == kUnknownWord || !InLanguageModel(noun)) return kUnknownWord;
    std::vector<LemmaReading> readings;
    model_.lexicon().Lemmatize(noun, &readings);
    const bool plural_noun = std::ranges::any_of(readings, [](const LemmaReading& reading) {
      return reading.pos == PartOfSpeech::kNoun && reading.inflection == Inflection::kPlural;
    });
    if (!plural_noun) return kUnknownWord;
    return model_.vocabulary().Find(kNames[digit - '1']).value_or(kUnknownWord);
  }

  // A name of two to four capitalised words used as a modifier ("United
  // States Embassy", "United States officials") whose initials the document
  // itself writes elsewhere as an initialism ("U.S."): a spinner's expansion,
  // restored to the document's own (most frequent) spelling. A writer who
  // abbreviates a name does so before a noun; as a noun ("the United States
  // said") it is left alone, and so is a document that never abbreviates it.
  // Returns the words taken (0: none); their span is in artefact_spans_.
  uint32_t ExpandedInitialism(uint32_t t, uint32_t sentence_end) {
    if (initialisms_.empty()) return 0;
    std::string letters;
    for (uint32_t length = 1; length <= 4 && t + length < sentence_end; ++length) {
      const text::Token& part = tokens_.tokens[t + length - 1];
      if (part.kind != text::TokenKind::kWord || part.quoted || IsExcluded(part.begin) ||
          (length > 1 && !part.space_before)) {
        return 0;
      }
      std::string_view bytes = TokenText(t + length - 1);
      if (!IsTitleCaseWord(bytes)) return 0;
      letters.push_back(bytes[0]);
      if (length < 2) continue;
      const Initialism* best = nullptr;
      for (const Initialism& known : initialisms_) {
        if (known.letters == letters && (best == nullptr || known.count > best->count)) {
          best = &known;
        }
      }
      if (best == nullptr || !ModifiesNext(t + length)) continue;
      SpunSpan span;
      span.start = tokens_.tokens[t].begin;
      span.end = part.end;
      span.text = std::string(input_.substr(span.start, span.end - span.start));
      span.original = best->spelling;
      span.score = kArtefactEvidence;
      artefact_spans_.push_back(std::move(span));
      return length;
    }
    return 0;
  }

  // Whether the word at token t, after a name, makes the name its modifier:
  // a capitalised word ("Embassy"), or one that can only be a noun or an
  // adjective ("officials", not "said" or "trade").
  bool ModifiesNext(uint32_t t) const {
    const text::Token& next = tokens_.tokens[t];
    if (next.kind != text::TokenKind::kWord || !next.space_before) return false;
    std::string_view bytes = TokenText(t);
    if (IsTitleCaseWord(bytes)) return true;
    const WordId id = VocabularyId(bytes);
    if (id == kUnknownWord || model_.IsFunctionWord(id)) return false;
    std::vector<LemmaReading> readings;
    model_.lexicon().Lemmatize(id, &readings);
    return !readings.empty() && std::ranges::none_of(readings, [](const LemmaReading& reading) {
      return reading.pos != PartOfSpeech::kNoun && reading.pos != PartOfSpeech::kAdjective;
    });
  }

  // "inFebruary": a space lost between a lower-case word and a capitalised
  // one. When both halves are known words, they enter the sentence as two
  // words (left alone by the decoder) and the split is reported as a span.
  bool SplitGlued(uint32_t token_index, std::string_view bytes) {
    size_t split = GlueOffset(bytes);
    if (split == 0) return false;
    WordId first = VocabularyId(bytes.substr(0, split));
    WordId second = VocabularyId(bytes.substr(split));
    if (!InLanguageModel(first) || !InLanguageModel(second)) return false;
    const lm::MixedModel& lm = model_.language_model();
    lm::LmState state = lm.NullContext();
    std::array<WordId, 2> words = {first, second};
    double split_score = ScoreWords(&state, words);
    state = lm.NullContext();
    double glued_score = ScoreWords(&state, std::span<const WordId>(&kUnknownWord, 1));
    const text::Token& token = tokens_.tokens[token_index];
    SpunSpan span;
    span.start = token.begin;
    span.end = token.end;
    span.text = std::string(bytes);
    span.original = std::string(bytes.substr(0, split)) + " " + std::string(bytes.substr(split));
    span.score = split_score - glued_score;
    artefact_spans_.push_back(std::move(span));
    words_.push_back({token_index, first, false, false});
    words_.push_back({token_index, second, false, false});
    return true;
  }

  bool IsExcluded(uint32_t offset) const {
    auto after =
        std::upper_bound(excluded_.begin(), excluded_.end(), offset,
                         [](uint32_t value, const DebrisSpan& span) { return value < span.start; });
    return after != excluded_.begin() && offset < std::prev(after)->end;
  }

  bool InLanguageModel(WordId word) const {
    const uint32_t index = ToIndex(word);
    return index < in_language_model_.size() && in_language_model_[index];
  }

  // Expands a lexicon entry reached through `reading` into re-inflected
  // candidate word sequences replacing the `observed` words.
  void ExpandEntry(lexicon::EntryId entry, const LemmaReading& reading, const Phrase& observed,
                   std::vector<Proposal>* out) const {
    const lexicon::Lexicon& lexicon = model_.lexicon();
    for (const Edge& edge : lexicon.Neighbors(entry)) {
      double relation_cost = RelationCost(edge.relation);
      if (relation_cost < 0 || !PartsOfSpeechAgree(edge.source_pos, reading.pos) ||
          !PartsOfSpeechAgree(edge.pos, reading.pos)) {
        continue;
      }
      std::span<const WordId> target = lexicon.EntryWords(edge.target);
      if (target.empty() || target.size() > kMaxPhraseWords) continue;
      Phrase words(target);
      if (!lexicon.InflectPhrase(words.mutable_view(), reading.pos, reading.inflection)) continue;
      if (words == observed) continue;
      if (!std::ranges::all_of(words.view(), [this](WordId w) { return InLanguageModel(w); })) {
        continue;
      }
      out->emplace_back(words, options_.change_cost + relation_cost);
    }
  }

  // Proposals for the observed `phrase`, one per wording at its cheapest
  // cost, at most kMaxCandidatesPerSpan: a function of the phrase alone.
  void CollectProposals(const Phrase& phrase, std::vector<Proposal>* out) {
    const lexicon::Lexicon& lexicon = model_.lexicon();
    const size_t length = phrase.size();
    std::vector<Proposal>& found = *out;
    const bool function_word = length == 1 && model_.IsFunctionWord(phrase[0]);
    // Readings of the phrase: the whole phrase as written, and with its head
    // word lemmatised (first word for verbs, last for nouns and adjectives).
    forms_.clear();
    forms_.push_back({phrase, LemmaReading{phrase[0], PartOfSpeech::kOther, Inflection::kBase}});
    for (size_t head : {size_t{0}, phrase.size() - 1}) {
      readings_.clear();
      lexicon.Lemmatize(phrase[head], &readings_);
      for (const LemmaReading& reading : readings_) {
        bool verb_head = head == 0;
        if (length > 1 && (reading.pos == PartOfSpeech::kVerb) != verb_head) continue;
        Phrase lemma_phrase = phrase;
        lemma_phrase.mutable_view()[head] = reading.lemma;
        forms_.push_back({lemma_phrase, reading});
      }
      if (length == 1) break;
    }
    AddChannelProposals(phrase, forms_[0].second, phrase, &found);
    for (const auto& [words, reading] : forms_) {
      if (function_word) break;
      if (reading.inflection != Inflection::kBase) {
        AddChannelProposals(words, reading, phrase, &found);
      }
      std::optional<lexicon::EntryId> entry = lexicon.FindEntry(words.view());
      if (!entry) continue;
      ExpandEntry(*entry, reading, phrase, &found);
    }
    KeepCheapestSorted(&found);
    KeepMostFrequent(kMaxCandidatesPerSpan, &found);
  }

  // Keeps the `count` proposals whose first word is most frequent, most
  // frequent first; leaves `proposals` as it is when it has no more than that.
  void KeepMostFrequent(size_t count, std::vector<Proposal>* proposals) {
    if (proposals->size() <= count) return;
    // The frequencies are looked up once, not at every comparison; the
    // comparisons, and so the order, are those of sorting the proposals.
    by_frequency_.clear();
    for (const Proposal& proposal : *proposals) {
      by_frequency_.push_back({FirstWordFrequency(proposal.first), proposal});
    }
    std::partial_sort(by_frequency_.begin(), by_frequency_.begin() + static_cast<ptrdiff_t>(count),
                      by_frequency_.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    proposals->resize(count);
    for (size_t i = 0; i < count; ++i) (*proposals)[i] = by_frequency_[i].second;
  }

  // One proposal per wording, at the cheapest relation that reached it,
  // sorted by wording: what sorting all of them and keeping the first of each
  // wording gives, but only distinct wordings (about half) are sorted.
  void KeepCheapestSorted(std::vector<Proposal>* found) {
    size_t slot_count = 16;
    while (slot_count < 2 * found->size()) slot_count *= 2;
    const size_t mask = slot_count - 1;
    slots_.assign(slot_count, -1);  // index into *found, -1 empty
    size_t kept = 0;
    for (size_t i = 0; i < found->size(); ++i) {
      const Proposal proposal = (*found)[i];
      size_t slot = PhraseHash()(proposal.first) & mask;
      while (slots_[slot] >= 0 && (*found)[slots_[slot]].first != proposal.first) {
        slot = (slot + 1) & mask;
      }
      if (slots_[slot] >= 0) {
        double& cost = (*found)[slots_[slot]].second;
        cost = std::min(cost, proposal.second);
      } else {
        slots_[slot] = static_cast<int32_t>(kept);
        (*found)[kept++] = proposal;
      }
    }
    found->resize(kept);
    std::sort(found->begin(), found->end(),
              [](const Proposal& a, const Proposal& b) { return a.first < b.first; });
  }

  // A span (position, length) with proposals, and where its local scores
  // are in local_scores_: the observed phrase's, then one per proposal.
  struct SpanJob {
    uint32_t first;
    uint32_t length;
    const std::vector<Proposal>* found;
    size_t scores;
  };

  // The jobs of the spans starting at words_[first], and the phrases they
  // score (local_items_).
  void AddSpanJobs(uint32_t first) {
    // The same for every length; computed once, when a length needs it.
    std::optional<lm::LmState> before;
    for (uint32_t length = 1; length <= kMaxPhraseWords && first + length <= words_.size();
         ++length) {
      bool changeable = true;
      bool measured_quote = true;
      for (uint32_t j = first; j < first + length; ++j) {
        changeable &= words_[j].changeable;
        measured_quote &= words_[j].measured_quote;
      }
      if (!changeable && !(measured_quote && length == 1)) break;
      if (words_[first].number_word != kUnknownWord) {
        // A digit has one candidate, its word, and starts no longer phrase.
        number_proposals_.push_back(
            {{Phrase(std::span<const WordId>(&words_[first].number_word, 1)),
              options_.change_cost}});
        if (!before) before = ObservedStateBefore(first);
        jobs_.push_back({first, 1, &number_proposals_.back(), local_items_.size()});
        local_items_.push_back(
            {*before, Phrase(std::span<const WordId>(&words_[first].id, 1)), first + 1});
        local_items_.push_back({*before, number_proposals_.back()[0].first, first + 1});
        break;
      }
      if (length > 1 && words_[first + length - 1].number_word != kUnknownWord) break;
      Phrase phrase;   // as the language model reads it
      Phrase written;  // as the lexicon does
      for (uint32_t j = first; j < first + length; ++j) {
        phrase.push_back(words_[j].id);
        written.push_back(LexiconId(j));
      }
      // Words recur in a document: their proposals are collected once.
      auto [cached, inserted] = proposals_->phrases.try_emplace(written);
      if (inserted) {
        CollectProposals(written, &cached->second.proposals);
        cached->second.document = proposals_->document;
        proposals_->bytes += ProposalCache::BytesOf(cached->second);
      } else if (cached->second.document != proposals_->document) {
        cached->second.used_later = true;
      }
      const std::vector<Proposal>* proposals = &cached->second.proposals;
      if (!changeable) {
        // A quoted word is only measured: its most frequent candidates
        // carry nearly all of its soft evidence, at a fraction of the cost.
        auto [few, fresh] = quoted_proposals_.try_emplace(phrase);
        if (fresh) {
          few->second = cached->second.proposals;
          KeepMostFrequent(kMaxQuotedProposals, &few->second);
        }
        proposals = &few->second;
      }
      const std::vector<Proposal>& found = *proposals;
      if (found.empty()) continue;
      if (!before) before = ObservedStateBefore(first);
      jobs_.push_back({first, length, &found, local_items_.size()});
      local_items_.push_back({*before, phrase, first + length});
      for (const auto& [words, cost] : found) {
        local_items_.push_back({*before, words, first + length});
      }
    }
  }

  void AddCandidates(const SpanJob& job) {
    const uint32_t first = job.first;
    const std::vector<Proposal>& found = *job.found;
    int article = PrecedingArticle(first);
    std::vector<std::pair<double, Candidate>>& survivors = survivors_;  // net score, candidate
    survivors.clear();
    const double observed_score = local_scores_[job.scores];
    const bool measured_quote = words_[first].measured_quote;
    const bool pooling = !measured_quote && words_[first].number_word == kUnknownWord;
    has_candidates_ |= !found.empty();

    Substitution substitution;
    if (pooling) {
      for (uint32_t j = first; j < first + job.length; ++j)
        substitution.spun.push_back(LexiconId(j));
    }
    // A word the language model does not know scores as <unk>, far below
    // any word it knows: its candidates must fit that much better.
    double rare_cost = 0;
    for (uint32_t j = first; j < first + job.length; ++j) {
      if (words_[j].rare_word != kUnknownWord) rare_cost = kRareWordCost;
    }
    for (size_t i = 0; i < found.size(); ++i) {
      const Phrase& words = found[i].first;
      double cost = found[i].second + rare_cost;
      if (article >= 0 && (article == 1) != TakesAn(WordText(LexiconId(first))) && !words.empty() &&
          (article == 1) == TakesAn(WordText(words[0]))) {
        cost = std::max(0.0, cost - kArticleAgreementDiscount);
      }
      const double lm_gain = local_scores_[job.scores + 1 + i] - observed_score;
      const double gain = lm_gain - cost + options_.change_cost;
      best_gain_ = std::max(best_gain_, gain);
      if (!measured_quote && gain >= kMinFlagGain && !words.empty()) {
        guesses_.push_back({gain, lm_gain, job.length, words});
      }

      if (pooling) {
        substitution.original = words;
        if (gathering_ && gain >= kPooledMinGain) {
          GatherGain(substitution, gain);
        } else if (!gathering_ && pooled_.contains(substitution)) {
          cost = std::max(0.0, cost - (1.0 - kPooledCostRatio) * options_.change_cost);
        }
      }
      // Candidates far from winning even in the observed context never win
      // in the beam either; dropping them here keeps decoding linear and fast.
      const double net = lm_gain - cost;
      if (measured_quote || net < -kPrefilterMargin) continue;
      survivors.push_back({net, Candidate{first, job.length, words, cost}});
    }
    // Only the few best go to the beam: its work grows with their number.
    if (survivors.size() > kMaxDecodedCandidates) {
      std::partial_sort(survivors.begin(), survivors.begin() + kMaxDecodedCandidates,
                        survivors.end(),
                        [](const auto& a, const auto& b) { return a.first > b.first; });
      survivors.resize(kMaxDecodedCandidates);
    }
    for (const auto& [net, candidate] : survivors) candidates_.push_back(candidate);
  }

  void GatherGain(const Substitution& substitution, double gain) {
    PooledGain& pooled = gains_[substitution];
    pooled.total += gain;
    pooled.best = std::max(pooled.best, gain);
    ++pooled.count;
    if (pooled.pieces.empty() || pooled.pieces.back() != piece_) pooled.pieces.push_back(piece_);
  }

  std::string_view WordText(WordId word) const { return model_.vocabulary().Word(word); }

  // Deletions (no words) rank first: they are cheap to decode.
  float FirstWordFrequency(const Phrase& words) const {
    return words.empty() ? 0.0f : model_.Log10Frequency(words[0]);
  }

  // Originals the learned channel (a spinner's dictionary, `unspin channel
  // learn`) gives for the observed phrase. Its evidence is direct, so the
  // cost is lower than any thesaurus relation's, the more so the more often
  // this spinner made this substitution. `form` is the phrase as written or
  // a reading of it with its head word lemmatised: a swap learned on one
  // form applies to the others ("organization" for "network" learned, the
  // plural "organizations" gives "networks"), the original inflected as the
  // observed head is.
  void AddChannelProposals(const Phrase& form, const LemmaReading& reading, const Phrase& observed,
                           std::vector<Proposal>* out) const {
    for (const channel::ChannelTable& table : model_.channels()) {
      if (form.size() <= table.max_spun_words())
        AddTableProposals(table, form, reading, observed, out);
    }
  }

  void AddTableProposals(const channel::ChannelTable& table, const Phrase& form,
                         const LemmaReading& reading, const Phrase& observed,
                         std::vector<Proposal>* out) const {
    for (const channel::Candidate& candidate : table.Lookup(form.view())) {
      Phrase words(candidate.original);
      if (!words.empty() &&
          !model_.lexicon().InflectPhrase(words.mutable_view(), reading.pos, reading.inflection)) {
        continue;
      }
      if (words == observed) continue;
      if (!std::ranges::all_of(words.view(), [this](WordId w) { return InLanguageModel(w); })) {
        continue;
      }
      double cost = options_.change_cost - kChannelTrust +
                    kChannelLog10ProbWeight * -static_cast<double>(candidate.log10_prob);
      out->emplace_back(words, std::max(0.0, cost));
    }
  }

  // The LM state after the observed words before words_[first].
  lm::LmState ObservedStateBefore(uint32_t first) const {
    const lm::MixedModel& lm = model_.language_model();
    uint32_t context = static_cast<uint32_t>(std::max(lm.order() - 1, 0));
    lm::LmState state = first <= context ? lm.BeginSentence() : lm.NullContext();
    uint32_t from = first <= context ? 0 : first - context;
    for (uint32_t j = from; j < first; ++j) {
      ScoreWords(&state, std::span<const WordId>(&words_[j].id, 1));
    }
    return state;
  }

  // changed_[i]: the best path changes words_[i].
  void MarkChanged(const std::vector<int>& chosen) {
    changed_.assign(words_.size(), false);
    uint32_t pos = 0;
    for (int step : chosen) {
      const uint32_t length = step < 0 ? 1 : candidates_[step].length;
      if (step >= 0) std::fill_n(changed_.begin() + pos, length, true);
      pos += length;
    }
  }

  // The current word's best guesses (guesses_), best first, at most
  // max_alternatives + 1, kept for Flag.
  void KeepGuesses(uint32_t i) {
    std::sort(guesses_.begin(), guesses_.end(),
              [](const Guess& a, const Guess& b) { return a.gain > b.gain; });
    const size_t kept =
        std::min(guesses_.size(), static_cast<size_t>(options_.max_alternatives) + 1);
    word_guesses_[i].assign(guesses_.begin(), guesses_.begin() + static_cast<ptrdiff_t>(kept));
  }

  // A span for words_[i, i + length) that the checker flags without
  // restoring it.
  SpunSpan FlaggedSpan(uint32_t i, uint32_t length, double score) const {
    SpunSpan span;
    span.start = tokens_.tokens[words_[i].token].begin;
    span.end = tokens_.tokens[words_[i + length - 1].token].end;
    span.text = std::string(input_.substr(span.start, span.end - span.start));
    span.score = score;
    span.restored = false;
    return span;
  }

  // Words whose best candidate fits far better than they do (kMinFlagGain),
  // where the decoder changed nothing: out of place, original unsure.
  void Flag(PieceResult* piece) {
    for (uint32_t i = 0; i < words_.size(); ++i) {
      const std::vector<Guess>& guesses = word_guesses_[i];
      if (guesses.empty()) continue;
      const Guess& best = guesses.front();
      if (std::any_of(changed_.begin() + i, changed_.begin() + i + best.length,
                      [](bool changed) { return changed; })) {
        continue;
      }
      SpunSpan span = FlaggedSpan(i, best.length, best.lm_gain);
      span.original = MatchCase(span.text, Surface(best.words.view()));
      for (size_t g = 1; g < guesses.size(); ++g) {
        if (guesses[g].length != best.length) continue;
        std::string alternative = MatchCase(span.text, Surface(guesses[g].words.view()));
        if (alternative != span.original) span.alternatives.push_back(std::move(alternative));
      }
      (best.gain >= kShownFlagGain ? piece->flagged : piece->weak_flagged)
          .push_back(std::move(span));
      i += best.length - 1;
    }
  }

  // Articles that disagree with the next word where the path changes neither:
  // counted, and flagged (the article's candidates are the guesses).
  void CountArticleDisagreements(PieceResult* piece) {
    for (uint32_t i = 1; i < words_.size(); ++i) {
      const std::vector<bool>& changed = changed_;
      // "a and b", "a or": the letter, not the article.
      if (changed[i] || changed[i - 1] || !words_[i].changeable ||
          words_[i].token != words_[i - 1].token + 1 || model_.IsFunctionWord(words_[i].id)) {
        continue;
      }
      if (!ArticleDisagrees(TokenText(words_[i - 1].token), TokenText(words_[i].token))) continue;
      ++piece->features.article_disagreements;
      SpunSpan span = FlaggedSpan(i, 1, kArtefactEvidence);
      const bool an = TokenText(words_[i - 1].token).size() == 2;
      for (const Guess& guess : word_guesses_[i]) {
        if (guess.length != 1 || TakesAn(WordText(guess.words[0])) != an) continue;
        std::string surface = Surface(guess.words.view());
        (span.original.empty() ? span.original : span.alternatives.emplace_back()) = surface;
      }
      if (span.original.empty()) span.original = span.text;
      word_guesses_[i].clear();  // flagged here, not again by Flag
      changed_[i] = true;        // nor inside a phrase Flag reports
      piece->flagged.push_back(std::move(span));
    }
  }

  // words_[j] as the lexicon knows it.
  WordId LexiconId(uint32_t j) const {
    return words_[j].rare_word != kUnknownWord ? words_[j].rare_word : words_[j].id;
  }

  // The vocabulary's id for a word as written (its lookup key), else kUnknownWord.
  WordId VocabularyId(std::string_view bytes) const {
    std::string key;
    text::AppendLookupKey(bytes, &key);
    return model_.vocabulary().Find(key).value_or(kUnknownWord);
  }

  std::string_view TokenText(uint32_t token) const {
    const text::Token& t = tokens_.tokens[token];
    return input_.substr(t.begin, t.end - t.begin);
  }

  // 1 when words_[i] follows "an", 0 after "a", -1 otherwise.
  int PrecedingArticle(uint32_t i) const {
    if (i == 0) return -1;
    std::string_view previous = WordText(words_[i - 1].id);
    if (previous == "an") return 1;
    if (previous == "a") return 0;
    return -1;
  }

  // An emphasizer right after an auxiliary ("had actually dropped") may be a
  // filler the spinner inserted.
  void AddFillerDeletion(uint32_t i) {
    if (i == 0 || i + 1 >= words_.size() || !words_[i].changeable) return;
    if (!IsAuxiliary(WordText(words_[i - 1].id))) return;
    if (!IsEmphasizer(WordText(words_[i].id))) return;
    std::vector<LemmaReading> readings;
    model_.lexicon().Lemmatize(words_[i].id, &readings);
    if (readings.empty()) return;
    for (const LemmaReading& reading : readings) {
      if (reading.pos != PartOfSpeech::kAdverb) return;
    }
    candidates_.push_back({i, 1, {}, options_.change_cost + kFillerDeletionCost});
  }

  double ScoreWords(lm::LmState* state, std::span<const WordId> words) const {
    const lm::MixedModel& lm = model_.language_model();
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
    const lm::MixedModel& lm = model_.language_model();
    const size_t n = words_.size();
    by_first_.assign(n, {});
    std::vector<std::vector<int>>& by_first = by_first_;
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
              arena_[h].score + ScoreWords(&cand_state, candidate.words.view()) - candidate.cost;
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
    // A state seen before is that of a kept hypothesis: the kept ones (at
    // most the beam width) are searched instead of hashing every state.
    size_t kept = 0;
    for (int h : *hypotheses) {
      if (kept >= static_cast<size_t>(options_.beam_width)) break;
      const lm::LmState& state = arena_[h].state;
      if (std::none_of(hypotheses->begin(), hypotheses->begin() + kept,
                       [&](int k) { return arena_[k].state == state; })) {
        (*hypotheses)[kept++] = h;
      }
    }
    hypotheses->resize(kept);
  }

  // log10 probability of `words` after `state`, followed by the next two
  // observed words so that the right context counts too.
  double LocalScore(const lm::LmState& state, const Phrase& words, uint32_t next) {
    const LocalItem item[] = {{state, words, next}};
    std::vector<double> score;
    LocalScores(item, &score);
    return score[0];
  }

  // (*scores)[i] = LocalScore(items[i]...), the items scored in lock step so
  // that their language-model lookups overlap in memory. Each total adds the
  // same terms in the same order as word-by-word scoring.
  void LocalScores(std::span<const LocalItem> items, std::vector<double>* scores) {
    const uint32_t n = static_cast<uint32_t>(words_.size());
    scores->assign(items.size(), 0.0);
    batch_states_.clear();
    for (const LocalItem& item : items) batch_states_.push_back(item.state);
    for (size_t step = 0;; ++step) {
      batch_items_.clear();
      batch_words_.clear();
      batch_in_.clear();
      for (size_t i = 0; i < items.size(); ++i) {
        const Phrase& words = items[i].words;
        const uint32_t next = items[i].next;
        const uint32_t context_end = std::min(next + 2, n);
        WordId word;
        if (step < words.size()) {
          word = words[step];
        } else if (uint32_t j = next + static_cast<uint32_t>(step - words.size());
                   j < context_end) {
          word = words_[j].id;
        } else if (next + 2 > n && j == context_end) {
          word = kSentenceEnd;  // EndSentenceScore
        } else {
          continue;
        }
        batch_items_.push_back(i);
        batch_words_.push_back(word);
        batch_in_.push_back(batch_states_[i]);
      }
      if (batch_items_.empty()) break;
      batch_scores_.resize(batch_items_.size());
      batch_out_.resize(batch_items_.size());
      model_.language_model().ScoreBatch(batch_in_, batch_words_, batch_scores_, batch_out_);
      for (size_t k = 0; k < batch_items_.size(); ++k) {
        (*scores)[batch_items_[k]] += batch_scores_[k];
        batch_states_[batch_items_[k]] = batch_out_[k];
      }
    }
  }

  std::string Surface(std::span<const WordId> words) const {
    std::string surface;
    for (WordId word : words) {
      if (!surface.empty()) surface += ' ';
      surface += model_.vocabulary().Word(word);
    }
    return surface;
  }

  // A reported span's evidence for the verdict.
  static void AddEvidence(const SpunSpan& span, DetectorFeatures* features) {
    features->evidence += std::min(span.score, kDetectorScoreCap);
    ++features->spans;
  }

  void Report(const std::vector<int>& chosen, std::vector<SpunSpan>* spans,
              DetectorFeatures* features) {
    // path_states_[k] is the LM state before the k-th step of the path.
    uint32_t pos = 0;
    for (size_t step = 0; step < chosen.size(); ++step) {
      if (chosen[step] < 0) {
        ++pos;
        continue;
      }
      const Candidate& best = candidates_[chosen[step]];
      const lm::LmState& before = path_states_[step];
      Phrase observed;
      for (uint32_t j = best.first; j < best.first + best.length; ++j) {
        observed.push_back(words_[j].id);
      }
      double observed_score = LocalScore(before, observed, best.first + best.length);
      std::vector<std::pair<double, std::string>> ranked;
      for (int c : by_first_[best.first]) {
        const Candidate& other = candidates_[c];
        if (other.first != best.first || other.length != best.length || other.words.empty()) {
          continue;
        }
        // Ranked by the decoder's own objective: LM gain minus channel cost.
        double net =
            LocalScore(before, other.words, best.first + best.length) - observed_score - other.cost;
        ranked.emplace_back(net, Surface(other.words.view()));
      }
      std::sort(ranked.begin(), ranked.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      SpunSpan span;
      span.start = tokens_.tokens[words_[best.first].token].begin;
      span.end = tokens_.tokens[words_[best.first + best.length - 1].token].end;
      if (best.words.empty()) {
        // A deleted filler takes the space before it along.
        while (span.start > 0 &&
               (input_[span.start - 1] == ' ' || input_[span.start - 1] == '\t')) {
          --span.start;
        }
      }
      span.text = std::string(input_.substr(span.start, span.end - span.start));
      span.original =
          best.words.empty() ? std::string() : MatchCase(span.text, Surface(best.words.view()));
      // The language model cannot read digits, so its gain for a spelled-out
      // one says nothing: such a span is restored with score 0, no evidence.
      const bool number = words_[best.first].number_word != kUnknownWord;
      span.score =
          number ? 0.0 : LocalScore(before, best.words, best.first + best.length) - observed_score;
      if (!number) AddEvidence(span, features);
      for (const auto& [net, surface] : ranked) {
        if (static_cast<int>(span.alternatives.size()) >= options_.max_alternatives) break;
        if (net < -kAlternativeMargin) break;
        std::string alternative = MatchCase(span.text, surface);
        if (alternative != span.original) span.alternatives.push_back(std::move(alternative));
      }
      spans->push_back(std::move(span));
      pos += best.length;
    }
  }

  const model::Model& model_;
  const CheckOptions& options_;
  const std::vector<bool>& in_language_model_;  // Checker::in_language_model_
  std::string_view input_;
  const text::TokenizedText& tokens_;
  const std::vector<DebrisSpan>& excluded_;
  std::vector<SentenceWord> words_;
  uint32_t lower_case_words_ = 0;  // CollectWords' counts for the piece
  uint32_t unknown_lower_case_words_ = 0;
  uint32_t english_marker_words_ = 0;
  uint32_t foreign_marker_words_ = 0;
  // Spans of artefacts found while collecting words (glued tokens, expanded
  // initialisms), reported after the sentence's decoded spans.
  std::vector<SpunSpan> artefact_spans_;
  // The initialisms the document writes ("U.S."), by their letters ("US").
  struct Initialism {
    std::string letters;
    std::string spelling;
    uint32_t count;
  };
  std::vector<Initialism> initialisms_;
  std::vector<bool> changed_;  // MarkChanged's
  // A candidate that gains at least kMinFlagGain beyond its relation cost.
  struct Guess {
    double gain;     // LM gain minus relation cost
    double lm_gain;  // LM gain alone
    uint32_t length;
    Phrase words;
  };
  std::vector<Guess> guesses_;                    // the current word's (AddCandidates)
  std::vector<std::vector<Guess>> word_guesses_;  // by word: the best, best first
  std::vector<Candidate> candidates_;
  // CollectProposals' result per observed phrase, and for a quoted word of
  // the document the kMaxQuotedProposals most frequent of them.
  HeldProposalCache proposals_;
  std::unordered_map<Phrase, std::vector<Proposal>, PhraseHash> quoted_proposals_;
  // Scratch of CollectProposals and AddCandidates, kept to reuse their memory.
  std::vector<std::pair<Phrase, LemmaReading>> forms_;
  std::vector<int32_t> slots_;
  std::vector<std::pair<float, Proposal>> by_frequency_;
  std::vector<LemmaReading> readings_;
  std::vector<std::pair<double, Candidate>> survivors_;
  std::vector<SpanJob> jobs_;
  // The proposals of the sentence's digits (jobs_ point into it).
  std::deque<std::vector<Proposal>> number_proposals_;
  std::vector<LocalItem> local_items_;
  std::vector<double> local_scores_;
  // Scratch of LocalScores.
  std::vector<lm::LmState> batch_states_, batch_in_, batch_out_;
  std::vector<size_t> batch_items_;
  std::vector<WordId> batch_words_;
  std::vector<float> batch_scores_;
  std::vector<std::vector<int>> by_first_;  // candidate indexes by first word
  double best_gain_ = 0;         // best candidate gain beyond relation cost at the current word
  bool has_candidates_ = false;  // the current word has any
  // Document-wide substitution evidence (see kPooledMinGain).
  struct PooledGain {
    double total = 0;
    double best = 0;
    uint32_t count = 0;
    std::vector<uint32_t> pieces;  // where it gained, ascending
  };
  bool gathering_ = true;
  uint32_t piece_ = 0;
  std::unordered_map<uint32_t, std::vector<double>> kept_scores_;  // by piece
  size_t kept_score_count_ = 0;
  std::unordered_map<Substitution, PooledGain, SubstitutionHash> gains_;
  std::vector<WordId> written_;  // the document's words, each piece's followed by kUnknownWord
  std::unordered_set<Substitution, SubstitutionHash> pooled_;
  std::vector<Hypothesis> arena_;
  std::vector<lm::LmState> path_states_;
};

double Round4(double value) { return std::round(value * 1e4) / 1e4; }

// A bound as a person writes it: 100, 0.001.
std::string PlainBound(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.15g", value);
  return text.data();
}

Status CheckRange(std::string_view name, double value, OptionRange range) {
  if (std::isfinite(value) && value >= range.min && value <= range.max) return Status::Ok();
  return InvalidArgumentError(std::string(name) + " must be a number from " +
                              PlainBound(range.min) + " to " + PlainBound(range.max));
}

uint64_t NextCheckerCacheId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Status ValidateCheckOptions(const CheckOptions& options) {
  UNSPIN_RETURN_IF_ERROR(CheckRange("change_cost", options.change_cost, kChangeCostRange));
  UNSPIN_RETURN_IF_ERROR(
      CheckRange("min_spun_probability", options.min_spun_probability, kMinSpunProbabilityRange));
  return CheckRange("spun_share", options.spun_share, kSpunShareRange);
}

Checker::Checker(const model::Model& model, CheckOptions options)
    : model_(model),
      options_(options),
      cache_id_(NextCheckerCacheId()),
      detector_(DetectorWeights::Of(model)),
      in_language_model_(model.vocabulary().size()) {
  for (uint32_t id = 0; id < in_language_model_.size(); ++id) {
    in_language_model_[id] = model.Log10Frequency(WordId{id}) > kUnknownLog10Frequency;
  }
}

Result<CheckEvidence> Checker::Gather(std::string_view input) const {
  if (input.size() >= (uint64_t{1} << 32)) {
    return InvalidArgumentError("input is larger than 4 GiB; split it into documents");
  }
  UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(input));
  text::TokenizedText tokens = text::Tokenize(input);
  CheckEvidence evidence;
  // Page debris (counters, captions, adverts ...) is reported, and left out
  // of the verdict: it was not written by the article's author.
  for (const extract::Line& line : extract::ClassifyLines(input)) {
    if (extract::IsDebris(line.kind)) {
      evidence.debris.push_back(
          {line.start, line.end, std::string(extract::LineKindName(line.kind))});
    }
  }
  // A "sentence" of thousands of words (text without punctuation, one word
  // repeated) would grow the decoder's lattice with it: it is decoded in
  // pieces, each read as a sentence of its own.
  std::vector<text::Sentence> pieces;
  for (const text::Sentence& sentence : tokens.sentences) {
    for (uint32_t first = 0; first < sentence.token_count; first += kMaxDecodedTokens) {
      const uint32_t token = sentence.first_token + first;
      const uint32_t count = std::min(kMaxDecodedTokens, sentence.token_count - first);
      pieces.push_back(
          {tokens.tokens[token].begin, tokens.tokens[token + count - 1].end, token, count});
    }
  }
  std::vector<PieceResult> decoded(pieces.size());
  SentenceDecoder decoder(model_, options_, cache_id_, in_language_model_, input, tokens,
                          evidence.debris);
  for (uint32_t k = 0; k < pieces.size(); ++k) {
    decoder.Decode(k, pieces[k], &decoded[k]);
  }
  // Then once more where the document's repeated substitutions occur.
  for (uint32_t k : decoder.PoolSubstitutions()) {
    decoded[k] = PieceResult();
    decoder.Decode(k, pieces[k], &decoded[k]);
  }
  for (PieceResult& piece : decoded) {
    std::move(piece.spans.begin(), piece.spans.end(), std::back_inserter(evidence.spans));
    evidence.words += piece.words;
    evidence.features.Add(piece.features);
    std::move(piece.flagged.begin(), piece.flagged.end(), std::back_inserter(evidence.flagged));
    std::move(piece.weak_flagged.begin(), piece.weak_flagged.end(),
              std::back_inserter(evidence.weak_flagged));
  }
  return evidence;
}

CheckResult Checker::Judge(CheckEvidence evidence) const {
  CheckResult result;
  result.spans = std::move(evidence.spans);
  result.debris = std::move(evidence.debris);
  result.words = evidence.words;
  result.features = evidence.features;
  result.verdict = JudgeVerdict(result.features);
  if (result.verdict == Verdict::kJudged) {
    result.spun_probability =
        SpunProbability(result.words, result.features, detector_, options_.spun_share);
  }
  if (result.verdict == Verdict::kNotEnoughText) {
    // Too little text for a verdict (a phrase, a title), but a word that is
    // clearly out of place is still shown: a phrase checked alone ("surface
    // region") is what a reader asks about.
    std::move(evidence.flagged.begin(), evidence.flagged.end(), std::back_inserter(result.spans));
  } else if (result.verdict != Verdict::kJudged ||
             result.spun_probability < options_.min_spun_probability) {
    result.spans.clear();
  } else {
    std::move(evidence.flagged.begin(), evidence.flagged.end(), std::back_inserter(result.spans));
    // No verdict without evidence: a text called spun shows the words that
    // carry it, the weaker ones too when there is nothing stronger; with
    // none at all (a verdict from the prior and length alone) it is not
    // called spun.
    if (result.spun_probability >= 0.5 && result.spans.empty()) {
      result.spans = std::move(evidence.weak_flagged);
      if (result.spans.empty()) result.spun_probability = kBelowFloorCap;
    }
  }
  std::sort(result.spans.begin(), result.spans.end(),
            [](const SpunSpan& a, const SpunSpan& b) { return a.start < b.start; });
  return result;
}

Result<CheckResult> Checker::Check(std::string_view input) const {
  UNSPIN_ASSIGN_OR_RETURN(CheckEvidence evidence, Gather(input));
  CheckResult result = Judge(std::move(evidence));
  ForEachRestoredPiece(input, result.spans,
                       [&](std::string_view piece) { result.restored.append(piece); });
  return result;
}

void ForEachRestoredPiece(std::string_view input, std::span<const SpunSpan> spans,
                          const std::function<void(std::string_view)>& take) {
  uint32_t copied = 0;
  for (const SpunSpan& span : spans) {
    if (!span.restored) continue;
    take(input.substr(copied, span.start - copied));
    take(span.original);
    copied = span.end;
  }
  take(input.substr(copied));
}

namespace {

// CheckResultToJson's text before the restored text's JSON string, and after it.
struct CheckResultJsonParts {
  std::string head;  // {"spun_probability":...,"spans":[...],"restored":
  std::string tail;  // ,"debris":[...],"verdict":"..."}
};

CheckResultJsonParts CheckResultJson(const CheckResult& result) {
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
    entry["restored"] = span.restored;
    json["spans"].push_back(std::move(entry));
  }
  CheckResultJsonParts parts;
  parts.head = json.dump();
  parts.head.back() = ',';  // the object goes on: {"spun_probability":...,"spans":[...],
  parts.head += "\"restored\":";
  nlohmann::ordered_json tail;
  tail["debris"] = nlohmann::ordered_json::array();
  for (const DebrisSpan& debris : result.debris) {
    tail["debris"].push_back({{"start", debris.start}, {"end", debris.end}, {"kind", debris.kind}});
  }
  tail["verdict"] = VerdictName(result.verdict);
  parts.tail = tail.dump();
  parts.tail.front() = ',';
  return parts;
}

}  // namespace

std::string CheckResultToJson(const CheckResult& result) {
  const CheckResultJsonParts parts = CheckResultJson(result);
  return parts.head + nlohmann::ordered_json(result.restored).dump() + parts.tail;
}

void WriteRestoredJsonString(std::string_view input, std::span<const SpunSpan> spans,
                             const std::function<void(std::string_view)>& write) {
  write("\"");
  // JSON escapes character by character, so the escaped pieces of a string,
  // cut between UTF-8 characters, are the pieces of the escaped string.
  constexpr size_t kChunkBytes = size_t{64} << 10;
  ForEachRestoredPiece(input, spans, [&](std::string_view piece) {
    while (!piece.empty()) {
      size_t cut = std::min(piece.size(), kChunkBytes);
      while (cut < piece.size() && (static_cast<unsigned char>(piece[cut]) & 0xC0) == 0x80) ++cut;
      const std::string quoted = nlohmann::ordered_json(piece.substr(0, cut)).dump();
      write(std::string_view(quoted).substr(1, quoted.size() - 2));
      piece.remove_prefix(cut);
    }
  });
  write("\"");
}

void WriteCheckResultJson(const CheckResult& result, std::string_view input,
                          const std::function<void(std::string_view)>& write) {
  const CheckResultJsonParts parts = CheckResultJson(result);
  write(parts.head);
  WriteRestoredJsonString(input, result.spans, write);
  write(parts.tail);
}

}  // namespace unspin::pipeline
