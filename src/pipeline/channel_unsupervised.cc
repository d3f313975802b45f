// Learning a spinner's dictionary from its output alone (docs/channel-unsupervised.md).
//
// Invariants:
// - word_counts_ counts the words of the model's vocabulary seen (absent:
//   0); words_ counts every word token added, known_words_ those the
//   vocabulary holds.
// - pairs_ keys are (original, spun) phrases as lookup keys joined by single
//   spaces, the two sides different, every word in the vocabulary.
#include "unspin/pipeline/channel_unsupervised.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iterator>

#include "unspin/text/utf8.h"

namespace unspin::pipeline {
namespace {

CheckOptions ProposalOptions(const UnsupervisedChannelOptions& options) {
  CheckOptions check;
  check.change_cost = options.proposal_change_cost;
  check.min_spun_probability = 0;
  check.max_alternatives = 0;
  return check;
}

std::string JoinKeys(const channel::TextWords& words) {
  std::string joined;
  for (const std::string& key : words.keys) {
    if (!joined.empty()) joined += ' ';
    joined += key;
  }
  return joined;
}

std::vector<WordId> SortedCopy(std::vector<WordId> ids) {
  std::ranges::sort(ids);
  return ids;
}

std::string FormatDouble(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

}  // namespace

std::shared_ptr<const Checker> UnsupervisedChannelLearner::MakeProposer(
    const model::Model& model, const UnsupervisedChannelOptions& options) {
  return std::make_shared<const Checker>(model, ProposalOptions(options));
}

UnsupervisedChannelLearner::UnsupervisedChannelLearner(const model::Model& model,
                                                       UnsupervisedChannelOptions options)
    : UnsupervisedChannelLearner(model, MakeProposer(model, options), options) {}

UnsupervisedChannelLearner::UnsupervisedChannelLearner(const model::Model& model,
                                                       std::shared_ptr<const Checker> proposer,
                                                       UnsupervisedChannelOptions options)
    : model_(model), options_(options), proposer_(std::move(proposer)) {}

uint64_t UnsupervisedChannelLearner::WordCount(WordId word) const {
  auto found = word_counts_.find(ToIndex(word));
  return found == word_counts_.end() ? 0 : found->second;
}

bool UnsupervisedChannelLearner::PhraseIds(std::string_view phrase,
                                           std::vector<WordId>* ids) const {
  ids->clear();
  size_t start = 0;
  while (start <= phrase.size()) {
    size_t end = phrase.find(' ', start);
    if (end == std::string_view::npos) end = phrase.size();
    std::optional<WordId> id = model_.vocabulary().Find(phrase.substr(start, end - start));
    if (!id) return false;
    ids->push_back(*id);
    start = end + 1;
  }
  return !ids->empty();
}

// A phrase of several words is counted by its rarest word: an upper bound.
uint64_t UnsupervisedChannelLearner::PhraseCount(const std::vector<WordId>& ids) const {
  uint64_t count = UINT64_MAX;
  for (WordId id : ids) count = std::min(count, WordCount(id));
  return ids.empty() ? 0 : count;
}

// Words as independent draws from the language model's unigrams.
double UnsupervisedChannelLearner::ExpectedCount(const std::vector<WordId>& ids) const {
  double log10_share = 0;
  for (WordId id : ids) log10_share += model_.Log10Frequency(id);
  return static_cast<double>(known_words_) * std::pow(10.0, log10_share);
}

// Drops the least supported pairs, a vote at a time, until under the bound.
void UnsupervisedChannelLearner::BoundPairs() {
  for (uint64_t votes = 1; pairs_.size() >= options_.max_tracked_pairs; ++votes) {
    std::erase_if(pairs_, [votes](const auto& entry) { return entry.second.preferred <= votes; });
  }
}

Status UnsupervisedChannelLearner::AddText(std::string_view text) {
  UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(text));
  channel::TextWords words = channel::SplitWords(text);
  if (words.keys.empty()) return Status::Ok();  // a blank line is no text
  const uint64_t hash = std::hash<std::string_view>{}(text);
  if (text_hashes_.contains(hash)) {
    ++duplicates_;
    return Status::Ok();
  }
  if (text_hashes_.size() < options_.max_tracked_texts) text_hashes_.insert(hash);
  UNSPIN_ASSIGN_OR_RETURN(CheckEvidence evidence, proposer_->Gather(text));
  ++texts_;
  words_ += words.keys.size();
  for (const std::string& key : words.keys) {
    if (std::optional<WordId> id = model_.vocabulary().Find(key)) {
      ++word_counts_[ToIndex(*id)];
      ++known_words_;
    }
  }
  std::vector<WordId> ids;
  auto take = [&](const std::vector<SpunSpan>& spans) {
    for (const SpunSpan& span : spans) {
      // A digit spelled out scores 0: not the spinner's evidence.
      if (span.score <= 0) continue;
      std::string original = JoinKeys(channel::SplitWords(span.original));
      std::string spun = JoinKeys(channel::SplitWords(span.text));
      if (original.empty() || spun.empty() || original == spun) continue;
      if (!PhraseIds(original, &ids) || !PhraseIds(spun, &ids)) continue;
      ++proposals_;
      PairStats& stats = pairs_[{std::move(original), std::move(spun)}];
      ++stats.preferred;
      stats.gain_sum += span.score;
    }
  };
  take(evidence.spans);
  take(evidence.flagged);
  take(evidence.weak_flagged);
  BoundPairs();
  return Status::Ok();
}

Result<UnsupervisedChannel> UnsupervisedChannelLearner::Finish() const {
  if (texts_ < options_.min_texts || words_ < options_.min_words) {
    return InvalidArgumentError(
        "the batch is too small to learn a spinner from: " + std::to_string(texts_) +
        " distinct texts, " + std::to_string(words_) + " words (" + std::to_string(duplicates_) +
        " duplicates skipped); give at least " + std::to_string(options_.min_texts) +
        " texts and " + std::to_string(options_.min_words) +
        " words, better some hundred paragraphs of one spinner");
  }
  const double known_share =
      static_cast<double>(known_words_) / static_cast<double>(std::max<uint64_t>(words_, 1));
  if (known_share < options_.min_known_word_share) {
    return InvalidArgumentError("the batch is not in the model's language: only " +
                                FormatDouble(100 * known_share) +
                                "% of its words are in the model's vocabulary");
  }
  UnsupervisedChannel learned;
  learned.texts = texts_;
  learned.duplicates = duplicates_;
  learned.words = words_;
  learned.proposals = proposals_;
  learned.pairs_considered = pairs_.size();
  // The best-supported original of each spun phrase.
  std::map<std::string_view, LearnedSubstitution> best;
  std::vector<WordId> original_ids, spun_ids;
  for (const auto& [key, stats] : pairs_) {
    const auto& [original, spun] = key;
    if (stats.preferred < options_.min_count) continue;
    if (!PhraseIds(original, &original_ids) || !PhraseIds(spun, &spun_ids)) continue;
    LearnedSubstitution entry;
    entry.original = original;
    entry.spun = spun;
    entry.preferred = stats.preferred;
    entry.spun_count = std::max(PhraseCount(spun_ids), stats.preferred);
    entry.original_count = PhraseCount(original_ids);
    entry.mean_gain = stats.gain_sum / static_cast<double>(stats.preferred);
    // Smoothed by one occurrence on each side, so that a word the batch
    // lacks entirely is not infinitely rare.
    auto excess = [this](uint64_t count, const std::vector<WordId>& ids) {
      return std::log10((static_cast<double>(count) + 1) / (ExpectedCount(ids) + 1));
    };
    std::vector<WordId> added;
    std::ranges::set_difference(SortedCopy(spun_ids), SortedCopy(original_ids),
                                std::back_inserter(added));
    if (added.size() + original_ids.size() == spun_ids.size()) {
      // Words the spinner added around the original ("sales" -> "gross
      // sales"): the original's count holds the spun phrase's occurrences,
      // and the evidence is the batch's over-use of the added words.
      entry.original_count -= std::min(entry.original_count, entry.spun_count);
      entry.frequency_evidence = excess(PhraseCount(added), added);
    } else {
      entry.frequency_evidence =
          excess(entry.spun_count, spun_ids) - excess(entry.original_count, original_ids);
    }
    const double share =
        static_cast<double>(entry.preferred) / static_cast<double>(entry.spun_count);
    if (share < options_.min_preferred_share || entry.mean_gain < options_.min_mean_gain ||
        entry.frequency_evidence < options_.min_frequency_evidence) {
      continue;
    }
    auto [it, inserted] = best.try_emplace(spun, entry);
    if (!inserted && entry.preferred > it->second.preferred) it->second = std::move(entry);
  }
  for (auto& [spun, entry] : best) learned.substitutions.push_back(std::move(entry));
  std::ranges::sort(learned.substitutions, [](const auto& a, const auto& b) {
    if (a.preferred != b.preferred) return a.preferred > b.preferred;
    if (a.original != b.original) return a.original < b.original;
    return a.spun < b.spun;
  });
  return learned;
}

channel::ChannelTableBuilder UnsupervisedChannel::Table() const {
  channel::ChannelTableBuilder table;
  std::vector<std::string> original, spun;
  auto split = [](const std::string& phrase, std::vector<std::string>* keys) {
    *keys = channel::SplitWords(phrase).keys;
  };
  std::map<std::string, uint64_t, std::less<>> unchanged;
  for (const LearnedSubstitution& entry : substitutions) {
    split(entry.original, &original);
    split(entry.spun, &spun);
    // Keys from SplitWords of the learner's own phrases: always valid.
    UNSPIN_CHECK(table.Add(original, spun, entry.preferred).ok());
    if (entry.original_count > 0) unchanged[entry.original] = entry.original_count;
  }
  for (const auto& [phrase, count] : unchanged) {
    split(phrase, &original);
    UNSPIN_CHECK(table.Add(original, original, count).ok());
  }
  return table;
}

std::string UnsupervisedChannel::ToTsv() const {
  std::string tsv = Table().ToTsv();
  tsv +=
      "# evidence\toriginal\tspun\tpreferred\tspun_count\toriginal_count\tmean_gain\t"
      "frequency_evidence\n";
  for (const LearnedSubstitution& entry : substitutions) {
    tsv += "# evidence\t" + entry.original + '\t' + entry.spun + '\t' +
           std::to_string(entry.preferred) + '\t' + std::to_string(entry.spun_count) + '\t' +
           std::to_string(entry.original_count) + '\t' + FormatDouble(entry.mean_gain) + '\t' +
           FormatDouble(entry.frequency_evidence) + '\n';
  }
  return tsv;
}

}  // namespace unspin::pipeline
