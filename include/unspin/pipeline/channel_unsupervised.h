// Learning a spinner's dictionary from its output alone, the originals
// hidden: what `unspin channel learn --unsupervised` does. A dictionary
// spinner makes the same swap everywhere ("said" -> "stated"), so across a
// batch of its pages the swapped-in word is far more common than English
// has it, the word it replaced far rarer, and the checker's language model
// prefers the replaced word wherever the swapped-in one stands. The learner
// streams the batch through the checker and keeps counts only; the table it
// finishes with is the one `channel learn` writes from aligned pairs
// (channel/channel.h), so `model build --channel` and `check --channel` use
// it unchanged.
//
//   pipeline::UnsupervisedChannelLearner learner(*model);
//   for (std::string_view page : pages) UNSPIN_RETURN_IF_ERROR(learner.AddText(page));
//   UNSPIN_ASSIGN_OR_RETURN(pipeline::UnsupervisedChannel learned, learner.Finish());
//   UNSPIN_RETURN_IF_ERROR(pipeline::WriteChannelTable(learned.ToTsv(), "table.tsv"));
//
// How it decides, and what batch it needs: docs/channel-unsupervised.md.
#ifndef UNSPIN_PIPELINE_CHANNEL_UNSUPERVISED_H_
#define UNSPIN_PIPELINE_CHANNEL_UNSUPERVISED_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/channel/channel.h"
#include "unspin/model/model.h"
#include "unspin/pipeline/check.h"

namespace unspin::pipeline {

struct UnsupervisedChannelOptions {
  // A swap is learned only when the context preferred its original at this
  // many occurrences of the spun phrase (--min-count).
  uint64_t min_count = 3;
  // ... at this share of all the spun phrase's occurrences in the batch,
  double min_preferred_share = 0.5;
  // ... by this log10 likelihood gain on average,
  double min_mean_gain = 1.5;
  // ... and when the batch over-uses the spun phrase against the original by
  // this much: log10 of (spun count / expected) over (original count /
  // expected), expectations from the language model's unigrams.
  double min_frequency_evidence = 1.0;
  // The checker's change cost while it proposes originals: low, so that weak
  // contexts vote too; the batch's counts decide.
  double proposal_change_cost = 1.5;
  // A batch with fewer distinct texts or words is too small to learn from
  // (Finish says so).
  uint64_t min_texts = 2;
  uint64_t min_words = 1000;
  // A batch whose words the model mostly does not know is not English.
  double min_known_word_share = 0.5;
  // Memory bound: when this many (original, spun) pairs are counted, those
  // the context preferred least (once, then twice ...) are dropped.
  size_t max_tracked_pairs = size_t{1} << 20;
  // ... and repeated texts are recognised among the first this many.
  size_t max_tracked_texts = size_t{1} << 20;
};

// One learned swap, with the batch's evidence for it.
struct LearnedSubstitution {
  std::string original;           // lookup keys joined by spaces
  std::string spun;               // ditto
  uint64_t preferred = 0;         // occurrences of spun where the context preferred original
  uint64_t spun_count = 0;        // occurrences of spun in the batch
  uint64_t original_count = 0;    // occurrences of original left in the batch
  double mean_gain = 0;           // mean log10 likelihood gain of original over spun
  double frequency_evidence = 0;  // log10 over-use of spun against original (see options)
};

// What a batch taught.
struct UnsupervisedChannel {
  std::vector<LearnedSubstitution> substitutions;  // strongest evidence first
  uint64_t texts = 0;
  uint64_t duplicates = 0;  // texts skipped as exact repeats of an earlier one
  uint64_t words = 0;
  uint64_t proposals = 0;  // spans the checker proposed an original for
  uint64_t pairs_considered = 0;

  // The table `channel learn` writes (channel/channel.h): per swap, a row
  // (original, spun, preferred) and the original's unchanged occurrences
  // (original, original, original_count), so that P(spun | original) is the
  // batch's; then one comment line per swap with its evidence
  // (docs/formats/channel.md).
  channel::ChannelTableBuilder Table() const;
  std::string ToTsv() const;
};

// Streams texts through the checker (Checker::Gather with a low change cost)
// and counts, per word of the model's vocabulary, its occurrences, and per
// (original, spun) pair the occurrences where the context preferred the
// original, with their gains. Memory: a counter per distinct word, the
// pairs (bounded by max_tracked_pairs) and a hash per distinct text (bounded
// by max_tracked_texts). Not thread-safe. The model must outlive the learner.
class UnsupervisedChannelLearner {
 public:
  explicit UnsupervisedChannelLearner(const model::Model& model,
                                      UnsupervisedChannelOptions options = {});
  // Many learners (one per site) can share the checker that proposes
  // originals: MakeProposer(model, options), with the same options.
  UnsupervisedChannelLearner(const model::Model& model, std::shared_ptr<const Checker> proposer,
                             UnsupervisedChannelOptions options);
  static std::shared_ptr<const Checker> MakeProposer(const model::Model& model,
                                                     const UnsupervisedChannelOptions& options);

  // Adds one text (a page, a paragraph); one without words (a blank line)
  // or seen before is not counted. Errors: InvalidArgument for invalid UTF-8
  // (the byte offset named); the text is then not counted.
  Status AddText(std::string_view text);

  // The swaps the batch supports. Errors: InvalidArgument when the batch is
  // too small (fewer than min_texts distinct texts or min_words words) or not
  // in the model's language (known words below min_known_word_share).
  Result<UnsupervisedChannel> Finish() const;

 private:
  struct PairStats {
    uint64_t preferred = 0;
    double gain_sum = 0;
  };
  // The phrase's words as vocabulary ids; false when one is unknown.
  bool PhraseIds(std::string_view phrase, std::vector<WordId>* ids) const;
  uint64_t PhraseCount(const std::vector<WordId>& ids) const;
  double ExpectedCount(const std::vector<WordId>& ids) const;
  void BoundPairs();

  const model::Model& model_;
  UnsupervisedChannelOptions options_;
  uint64_t WordCount(WordId word) const;

  std::shared_ptr<const Checker> proposer_;
  std::unordered_map<uint32_t, uint64_t> word_counts_;  // by word index
  uint64_t words_ = 0;
  uint64_t known_words_ = 0;
  uint64_t texts_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t proposals_ = 0;
  std::unordered_set<uint64_t> text_hashes_;
  std::map<std::pair<std::string, std::string>, PairStats> pairs_;  // (original, spun)
};

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_CHANNEL_UNSUPERVISED_H_
