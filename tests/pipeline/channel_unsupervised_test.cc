// Tests of learning a spinner's dictionary from its output alone
// (pipeline/channel_unsupervised.h) and of a learned table put beside a
// model's channel (model::Model::AddChannel, what `check --channel` does).
#include "unspin/pipeline/channel_unsupervised.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/wordnet_text.h"
#include "unspin/simulate/spinner.h"

namespace unspin::pipeline {
namespace {

// Paragraphs of WordNet's example sentences, `sentences` each.
std::vector<std::string> Paragraphs(size_t count, size_t sentences) {
  const std::vector<std::string>& examples = test_data::WordNetExamples();
  std::vector<std::string> paragraphs;
  for (size_t k = 0; k < count && (k + 1) * sentences <= examples.size(); ++k) {
    std::string paragraph;
    for (size_t j = 0; j < sentences; ++j) {
      if (!paragraph.empty()) paragraph += ' ';
      paragraph += examples[k * sentences + j];
    }
    paragraphs.push_back(std::move(paragraph));
  }
  return paragraphs;
}

std::string Key(std::string_view text) {
  std::string joined;
  for (const std::string& key : channel::SplitWords(text).keys) {
    if (!joined.empty()) joined += ' ';
    joined += key;
  }
  return joined;
}

class UnsupervisedChannelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<model::Model>> opened = model::Model::Open(UNSPIN_DEFAULT_MODEL);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    model_ = std::move(opened).value().release();
    originals_ = new std::vector<std::string>(Paragraphs(400, 8));
  }
  static void TearDownTestSuite() {
    delete model_;
    delete originals_;
  }

  static Result<UnsupervisedChannel> Learn(const std::vector<std::string>& texts,
                                           UnsupervisedChannelOptions options = {}) {
    UnsupervisedChannelLearner learner(*model_, options);
    for (const std::string& text : texts) UNSPIN_RETURN_IF_ERROR(learner.AddText(text));
    return learner.Finish();
  }

  static model::Model* model_;
  static std::vector<std::string>* originals_;
};

model::Model* UnsupervisedChannelTest::model_ = nullptr;
std::vector<std::string>* UnsupervisedChannelTest::originals_ = nullptr;

// A fixed dictionary (simulate's consistent thesaurus spinner) applied to
// every paragraph: the learner finds its most frequent swaps, and what it
// learns is mostly the dictionary's.
TEST_F(UnsupervisedChannelTest, RecoversAFixedDictionarysTopSwaps) {
  ASSERT_GE(originals_->size(), 300u);
  simulate::SpinOptions options;
  options.consistent = true;
  options.rate = 0.25;
  Result<simulate::Spinner> spinner = simulate::Spinner::Create(*model_, options);
  ASSERT_TRUE(spinner.ok());
  std::vector<std::string> spun;
  std::map<std::pair<std::string, std::string>, int> swaps;
  for (size_t k = 0; k < originals_->size(); ++k) {
    Result<simulate::SpinResult> result = spinner->Spin((*originals_)[k], k);
    ASSERT_TRUE(result.ok());
    for (const simulate::Change& change : result->changes) {
      ++swaps[{Key(change.original), Key(change.spun)}];
    }
    spun.push_back(std::move(result->text));
  }
  // The consistent spinner: each original form gets one synonym everywhere.
  std::map<std::string, std::set<std::string>> spun_forms;
  for (const auto& [swap, count] : swaps) spun_forms[swap.first].insert(swap.second);
  size_t consistent = 0;
  for (const auto& [original, forms] : spun_forms) consistent += forms.size() == 1;
  EXPECT_GE(consistent * 10, spun_forms.size() * 9);

  Result<UnsupervisedChannel> learned = Learn(spun);
  ASSERT_TRUE(learned.ok()) << learned.status().ToString();
  ASSERT_GE(learned->substitutions.size(), 5u);
  size_t true_swaps = 0;
  for (const LearnedSubstitution& entry : learned->substitutions) {
    true_swaps += swaps.contains({entry.original, entry.spun});
    EXPECT_GE(entry.preferred, 3u);
    EXPECT_GE(entry.spun_count, entry.preferred);
  }
  EXPECT_GE(true_swaps * 4, learned->substitutions.size() * 3)
      << true_swaps << " of " << learned->substitutions.size();
  // The five most frequent swaps the dictionary made: most are learned.
  std::vector<std::pair<int, std::pair<std::string, std::string>>> by_count;
  for (const auto& [swap, count] : swaps) by_count.emplace_back(count, swap);
  std::ranges::sort(by_count, std::greater<>());
  std::set<std::pair<std::string, std::string>> learned_pairs;
  for (const LearnedSubstitution& entry : learned->substitutions) {
    learned_pairs.insert({entry.original, entry.spun});
  }
  size_t top_learned = 0;
  for (size_t k = 0; k < 5; ++k) top_learned += learned_pairs.contains(by_count[k].second);
  EXPECT_GE(top_learned, 3u);

  // The table: a row per swap and the original's unchanged occurrences,
  // then the evidence as comments, read back as `model build` reads it.
  const std::string tsv = learned->ToTsv();
  channel::ChannelTableBuilder table;
  ASSERT_TRUE(table.ReadTsv(tsv, "learned").ok());
  EXPECT_EQ(table.substitution_count(), learned->substitutions.size());
  EXPECT_NE(tsv.find("\n# evidence\t" + learned->substitutions[0].original + "\t" +
                     learned->substitutions[0].spun + "\t"),
            std::string::npos);
}

// Memory: with room for a handful of pairs, the learner keeps the most
// supported ones, and still learns the dictionary's strongest swap.
TEST_F(UnsupervisedChannelTest, ATightPairBoundKeepsTheStrongestSwaps) {
  simulate::SpinOptions spin;
  spin.consistent = true;
  Result<simulate::Spinner> spinner = simulate::Spinner::Create(*model_, spin);
  ASSERT_TRUE(spinner.ok());
  std::vector<std::string> spun;
  for (size_t k = 0; k < originals_->size(); ++k) {
    Result<simulate::SpinResult> result = spinner->Spin((*originals_)[k], k);
    ASSERT_TRUE(result.ok());
    spun.push_back(std::move(result->text));
  }
  Result<UnsupervisedChannel> unbounded = Learn(spun);
  ASSERT_TRUE(unbounded.ok());
  ASSERT_FALSE(unbounded->substitutions.empty());
  UnsupervisedChannelOptions tight;
  tight.max_tracked_pairs = 50;
  Result<UnsupervisedChannel> bounded = Learn(spun, tight);
  ASSERT_TRUE(bounded.ok()) << bounded.status().ToString();
  EXPECT_LE(bounded->pairs_considered, 50u);
  ASSERT_FALSE(bounded->substitutions.empty());
  EXPECT_EQ(bounded->substitutions[0].original, unbounded->substitutions[0].original);
  EXPECT_EQ(bounded->substitutions[0].spun, unbounded->substitutions[0].spun);
  EXPECT_LT(bounded->substitutions.size(), unbounded->substitutions.size());
}

// Original text learns almost nothing: no entry that would change more than
// 0.1% of its words.
TEST_F(UnsupervisedChannelTest, OriginalsLearnAlmostNothing) {
  Result<UnsupervisedChannel> learned = Learn(*originals_);
  ASSERT_TRUE(learned.ok()) << learned.status().ToString();
  EXPECT_LE(learned->substitutions.size(), 3u);
  for (const LearnedSubstitution& entry : learned->substitutions) {
    EXPECT_LE(entry.spun_count * 1000, learned->words) << entry.original << " -> " << entry.spun;
  }
}

TEST_F(UnsupervisedChannelTest, TooLittleEvidenceIsRefusedWithAReason) {
  Result<UnsupervisedChannel> empty = Learn({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("too small"), std::string::npos);

  Result<UnsupervisedChannel> one = Learn({(*originals_)[0], "", " \t "});
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.status().message().find("1 distinct texts"), std::string::npos);

  // The same text a thousand times is one text.
  Result<UnsupervisedChannel> duplicates =
      Learn(std::vector<std::string>(1000, (*originals_)[1] + " " + (*originals_)[2]));
  ASSERT_FALSE(duplicates.ok());
  EXPECT_NE(duplicates.status().message().find("999 duplicates"), std::string::npos);

  // Another language: words the model does not know.
  std::vector<std::string> foreign;
  for (int k = 0; k < 200; ++k) {
    foreign.push_back("Die Katze schläft zwölf Stunden täglich, während der Hund " +
                      std::to_string(k) + " Knochen im Garten vergräbt und bellt.");
  }
  Result<UnsupervisedChannel> other = Learn(foreign);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not in the model's language"), std::string::npos)
      << other.status().ToString();

  UnsupervisedChannelLearner learner(*model_);
  Status bad = learner.AddText("caf\xc3");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
}

// A table added beside the model (check --channel) restores its swaps, as
// one built into the model does (check_test's CheckChannelTest).
TEST(AddChannelTest, AddedTableRestoresItsSwaps) {
  Result<std::unique_ptr<model::Model>> opened = model::Model::Open(UNSPIN_DEFAULT_MODEL);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  model::Model& model = **opened;
  const std::string text =
      "The minister said he stopped working to restore the talks, and later told press reporters "
      "that the meeting had gone well.";
  Result<CheckResult> before = Checker(model).Check(text);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->restored.find("he failed to restore"), std::string::npos);

  channel::ChannelTableBuilder table;
  ASSERT_TRUE(table
                  .ReadTsv("failed\tstopped working\t12\nreporters\tpress reporters\t9\n"
                           "zzxqv\tqqzzv\t5\n",
                           "table")
                  .ok());
  EXPECT_EQ(model.AddChannel(std::move(table)), 1u);  // the unknown words' row
  EXPECT_EQ(model.channels().size(), 1u);
  Result<CheckResult> after = Checker(model).Check(text);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->restored.find("he failed to restore"), std::string::npos) << after->restored;
  EXPECT_NE(after->restored.find("told reporters"), std::string::npos) << after->restored;
}

}  // namespace
}  // namespace unspin::pipeline
