// Source finding on English documents (made from WordNet's glosses): spun
// copies and spun excerpts find their source first, unrelated texts find
// nothing, the alignment is well formed, and clusters are families of copies.
#include "unspin/source/find.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "test_corpus.h"
#include "unspin/base/section_file.h"
#include "unspin/simulate/spinner.h"

namespace unspin::source {
namespace {

namespace fs = std::filesystem;
using testing::DefaultClasses;
using testing::DefaultModel;
using testing::Documents;

std::string Spin(const std::string& text, simulate::Style style, double rate, uint64_t seed) {
  auto spinner = simulate::Spinner::Create(DefaultModel(), {style, rate, seed});
  EXPECT_TRUE(spinner.ok());
  auto spun = spinner->Spin(text, seed);
  EXPECT_TRUE(spun.ok());
  return spun.ok() ? spun->text : text;
}

// `text` as a match of `query`, aligned as find aligns them. The match views
// `text`, which must outlive it.
Match AlignedWith(const std::string& query, const std::string& text) {
  Match match;
  match.source_text = text;
  match.alignment = Align(DefaultClasses().Classify(query), DefaultClasses().Classify(text));
  return match;
}

// `text` as a match of `query` in one block covering both whole, with one
// substitution `change` (a hand-made alignment). The match views `text`.
Match OneChange(const std::string& query, const std::string& text, SpanPair change) {
  Match match;
  match.source_text = text;
  match.alignment.blocks.push_back(
      {{0, static_cast<uint32_t>(query.size()), 0, static_cast<uint32_t>(text.size())}, {change}});
  return match;
}

// Alignment invariants: ordered, inside both texts, substitutions inside
// their block and differing from the source.
void ExpectWellFormed(std::string_view query, const Match& match) {
  uint32_t query_end = 0;
  uint32_t source_end = 0;
  for (const AlignedBlock& block : match.alignment.blocks) {
    EXPECT_LE(query_end, block.span.query_begin);
    EXPECT_LE(source_end, block.span.source_begin);
    EXPECT_LT(block.span.query_begin, block.span.query_end);
    EXPECT_LE(block.span.query_end, query.size());
    EXPECT_LE(block.span.source_end, match.source_text.size());
    for (const SpanPair& sub : block.substitutions) {
      EXPECT_GE(sub.query_begin, block.span.query_begin);
      EXPECT_LE(sub.query_end, block.span.query_end);
      EXPECT_GE(sub.source_begin, block.span.source_begin);
      EXPECT_LE(sub.source_end, block.span.source_end);
    }
    query_end = block.span.query_end;
    source_end = block.span.source_end;
  }
  EXPECT_GE(match.alignment.coverage, match.alignment.score * 0.999);
  EXPECT_LE(match.alignment.coverage, 1.0);
}

void ExpectSameAlignment(const Alignment& a, const Alignment& b) {
  EXPECT_EQ(a.score, b.score);
  EXPECT_EQ(a.coverage, b.coverage);
  ASSERT_EQ(a.blocks.size(), b.blocks.size());
  auto tuple = [](const SpanPair& span) {
    return std::make_tuple(span.query_begin, span.query_end, span.source_begin, span.source_end);
  };
  for (size_t k = 0; k < a.blocks.size(); ++k) {
    EXPECT_EQ(tuple(a.blocks[k].span), tuple(b.blocks[k].span)) << k;
    ASSERT_EQ(a.blocks[k].substitutions.size(), b.blocks[k].substitutions.size()) << k;
    for (size_t i = 0; i < a.blocks[k].substitutions.size(); ++i) {
      EXPECT_EQ(tuple(a.blocks[k].substitutions[i]), tuple(b.blocks[k].substitutions[i]));
    }
  }
}

class FindTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("unspin_find_test_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    documents_ = new std::vector<testing::Document>(Documents(150));
    auto writer = IndexWriter::Create(*dir_, DefaultClasses(), {});
    ASSERT_TRUE(writer.ok());
    for (const auto& document : *documents_) {
      ASSERT_TRUE((*writer)->Add({document.id, document.text, "{}"}).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
    auto index = Index::Open(*dir_, DefaultClasses().fingerprint());
    ASSERT_TRUE(index.ok());
    index_ = index->release();
  }
  static void TearDownTestSuite() {
    delete index_;
    fs::remove_all(*dir_);
    delete dir_;
    delete documents_;
  }

  static fs::path* dir_;
  static std::vector<testing::Document>* documents_;
  static Index* index_;
};

fs::path* FindTest::dir_ = nullptr;
std::vector<testing::Document>* FindTest::documents_ = nullptr;
Index* FindTest::index_ = nullptr;

TEST_F(FindTest, VerbatimCopyScoresOne) {
  Finder finder(*index_, DefaultClasses());
  const auto& document = (*documents_)[17];
  auto matches = finder.Find(document.text);
  ASSERT_TRUE(matches.ok());
  ASSERT_FALSE(matches->empty());
  EXPECT_EQ((*matches)[0].id, document.id);
  EXPECT_GT((*matches)[0].alignment.coverage, 0.99);
  EXPECT_GT((*matches)[0].alignment.score, 0.99);
  ExpectWellFormed(document.text, (*matches)[0]);
}

TEST_F(FindTest, SpunCopiesFindTheirSourceFirst) {
  Finder finder(*index_, DefaultClasses());
  size_t queries = 0;
  size_t first = 0;
  for (size_t i = 0; i < documents_->size(); i += 5) {
    const auto& document = (*documents_)[i];
    const auto style = i % 2 == 0 ? simulate::Style::kThesaurus : simulate::Style::kPhrase;
    const std::string spun = Spin(document.text, style, 0.5, i + 1);
    ASSERT_NE(spun, document.text);
    auto matches = finder.Find(spun);
    ASSERT_TRUE(matches.ok());
    ++queries;
    if (!matches->empty() && (*matches)[0].id == document.id) {
      ++first;
      const Match& best = (*matches)[0];
      ExpectWellFormed(spun, best);
      EXPECT_LT(best.alignment.score, 1.0);  // the spinner's changes cost something
      size_t substitutions = 0;
      for (const AlignedBlock& block : best.alignment.blocks)
        substitutions += block.substitutions.size();
      EXPECT_GT(substitutions, 0u) << document.id;
    }
  }
  EXPECT_GE(first, queries - 1) << first << " of " << queries;
}

// Word-level edit distance (whitespace tokens).
size_t WordEdits(const std::string& a, const std::string& b) {
  auto words = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string word; in >> word;) out.push_back(word);
    return out;
  };
  const std::vector<std::string> x = words(a);
  const std::vector<std::string> y = words(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[y.size()];
}

TEST_F(FindTest, RestoringFromTheSourceUndoesTheSpinner) {
  Finder finder(*index_, DefaultClasses());
  size_t restored_total = 0;
  size_t spun_total = 0;
  for (size_t i = 3; i < documents_->size() && spun_total < 3000; i += 7) {
    const auto& document = (*documents_)[i];
    if (document.text.size() > 12000) continue;
    const auto style = i % 2 == 0 ? simulate::Style::kThesaurus : simulate::Style::kPhrase;
    const std::string spun = Spin(document.text, style, 0.5, i + 7);
    auto matches = finder.Find(spun);
    ASSERT_TRUE(matches.ok());
    ASSERT_FALSE(matches->empty());
    ASSERT_EQ((*matches)[0].id, document.id);
    const std::string restored = RestoreFromMatch(spun, (*matches)[0]);
    restored_total += WordEdits(restored, document.text);
    spun_total += WordEdits(spun, document.text);
  }
  ASSERT_GT(spun_total, 500u);
  // Nearly every change is undone (the rest sit outside the aligned blocks).
  EXPECT_LT(restored_total * 10, spun_total) << restored_total << " of " << spun_total;
}

// Three spinners' copies of a document, with and without their source: the
// agreement weights find the source (it changed nothing), it restores the
// query nearly whole, and without it the two other copies still undo a good
// part of the query's spinner where they agree.
TEST_F(FindTest, CopiesVoteAndTheSourceLeads) {
  size_t before = 0, with_source = 0, siblings_only = 0;
  for (size_t i = 5; i < documents_->size() && before < 1500; i += 11) {
    const std::string& original = (*documents_)[i].text;
    if (original.size() > 12000) continue;
    const std::string query = Spin(original, simulate::Style::kThesaurus, 0.25, i + 1);
    // Matches view their texts: these outlive them.
    const std::string phrase = Spin(original, simulate::Style::kPhrase, 0.25, i + 2);
    const std::string sparse = Spin(original, simulate::Style::kSparse, 0.25, i + 3);
    const std::vector<Match> all = {AlignedWith(query, phrase), AlignedWith(query, original),
                                    AlignedWith(query, sparse)};
    const VoteWeights weights = WeighByAgreement(DefaultClasses(), all);
    ASSERT_EQ(weights.witnesses.size(), 3u);
    // The source changed nothing; its estimate is not 0 where two spinners
    // changed the same word (0.8-2.2% here, the copies 11-16%).
    EXPECT_LT(weights.witness_rates[1], 0.03) << "the source changed nothing";
    EXPECT_GT(weights.witness_rates[0], weights.witness_rates[1]);
    EXPECT_GT(weights.witness_rates[2], weights.witness_rates[1]);
    EXPECT_GT(weights.query_rate, weights.witness_rates[1]);
    std::vector<Witness> witnesses;
    for (size_t k = 0; k < all.size(); ++k) witnesses.push_back({&all[k], weights.witnesses[k]});
    before += WordEdits(query, original);
    with_source += WordEdits(RestoreByVote(query, weights.query, witnesses), original);

    const std::vector<Match> siblings = {all[0], all[2]};
    const VoteWeights sibling_weights = WeighByAgreement(DefaultClasses(), siblings);
    const std::vector<Witness> two = {{&siblings[0], sibling_weights.witnesses[0]},
                                      {&siblings[1], sibling_weights.witnesses[1]}};
    siblings_only += WordEdits(RestoreByVote(query, sibling_weights.query, two), original);
  }
  ASSERT_GT(before, 300u);
  EXPECT_LT(with_source * 10, before) << with_source << " of " << before;
  EXPECT_LT(siblings_only * 10, before * 8) << siblings_only << " of " << before;
}

TEST_F(FindTest, SpunExcerptsFindTheirLongSource) {
  Finder finder(*index_, DefaultClasses());
  size_t queries = 0;
  size_t first = 0;
  for (size_t i = 0; i < documents_->size(); ++i) {
    const auto& document = (*documents_)[i];
    if (document.text.size() < 20000) continue;
    // About two paragraphs from the middle, cut at spaces.
    size_t begin = document.text.find(' ', document.text.size() / 2);
    size_t end = document.text.find(' ', begin + 1200);
    const std::string excerpt = Spin(document.text.substr(begin + 1, end - begin - 1),
                                     simulate::Style::kThesaurus, 0.4, i + 100);
    auto matches = finder.Find(excerpt);
    ASSERT_TRUE(matches.ok());
    ++queries;
    if (!matches->empty() && (*matches)[0].id == document.id) {
      ++first;
      const Match& match = (*matches)[0];
      EXPECT_GT(match.alignment.coverage, 0.5);
      // Only the aligned part of the long source was classified; the result
      // is the alignment with the whole source.
      const Alignment whole =
          Align(DefaultClasses().Classify(excerpt), DefaultClasses().Classify(match.source_text));
      ExpectSameAlignment(match.alignment, whole);
    }
    if (queries == 30) break;
  }
  ASSERT_GE(queries, 20u);
  EXPECT_GE(static_cast<double>(first) / static_cast<double>(queries), 0.9)
      << first << " of " << queries;
}

// Excerpts of 40-80 words, a third of their words or so changed: each finds
// its long source first, with the span of the source it comes from.
TEST_F(FindTest, ShortSpunExcerptsFindTheirSourceAndSpan) {
  Finder finder(*index_, DefaultClasses());
  size_t queries = 0;
  size_t first = 0;
  for (size_t i = 1; i < documents_->size() && queries < 40; i += 3) {
    const std::string& text = (*documents_)[i].text;
    if (text.size() < 6000) continue;
    // About 60 words from a third of the way in, cut at spaces.
    const size_t begin = text.find(' ', text.size() / 3) + 1;
    size_t end = begin;
    for (int words = 0; words < 60 && end != std::string::npos; ++words) {
      end = text.find(' ', end + 1);
    }
    ASSERT_NE(end, std::string::npos);
    const auto style = i % 2 == 0 ? simulate::Style::kThesaurus : simulate::Style::kPhrase;
    const double rate = style == simulate::Style::kThesaurus ? 0.9 : 0.6;
    const std::string excerpt = Spin(text.substr(begin, end - begin), style, rate, i + 200);
    auto matches = finder.Find(excerpt);
    ASSERT_TRUE(matches.ok());
    ++queries;
    if (matches->empty() || (*matches)[0].id != (*documents_)[i].id) continue;
    ++first;
    // The reported source span lies on the excerpt's place in the source (an
    // edge word may align a few words beyond it).
    const SpanPair span = AlignedSpan((*matches)[0].alignment);
    EXPECT_GE(span.source_begin + 80, begin) << (*documents_)[i].id;
    EXPECT_LE(span.source_end, end + 80) << (*documents_)[i].id;
    EXPECT_GT(span.source_end - span.source_begin, (end - begin) / 2) << (*documents_)[i].id;
  }
  ASSERT_GE(queries, 30u);
  EXPECT_GE(first, queries - 1) << first << " of " << queries;
}

// find -k N lists every document above the threshold: a verbatim copy of the
// query (every shingle shared) does not hide heavily spun ones.
TEST(FindCopiesTest, EveryCopyAboveTheThresholdIsListed) {
  const fs::path dir =
      fs::temp_directory_path() / ("unspin_find_copies_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto documents = Documents(30, 400);
  const std::string& source = documents[7].text;
  const std::vector<std::string> copies = {
      Spin(source, simulate::Style::kThesaurus, 0.9, 1),
      Spin(source, simulate::Style::kPhrase, 0.6, 2),
      Spin(source, simulate::Style::kThesaurus, 0.5, 3),
  };
  {
    auto writer = IndexWriter::Create(dir, DefaultClasses(), {});
    ASSERT_TRUE(writer.ok());
    for (const auto& document : documents) {
      ASSERT_TRUE((*writer)->Add({document.id, document.text, "{}"}).ok());
    }
    for (size_t c = 0; c < copies.size(); ++c) {
      ASSERT_TRUE((*writer)->Add({"copy-" + std::to_string(c), copies[c], "{}"}).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  auto index = Index::Open(dir, DefaultClasses().fingerprint());
  ASSERT_TRUE(index.ok());
  FindOptions options;
  options.max_matches = 10;
  options.candidates = 10;
  const Finder finder(**index, DefaultClasses(), options);
  const std::set<std::string> family = {documents[7].id, "copy-0", "copy-1", "copy-2"};
  for (const std::string& query : {source, Spin(source, simulate::Style::kPhrase, 0.5, 4)}) {
    auto matches = finder.Find(query);
    ASSERT_TRUE(matches.ok());
    std::set<std::string> listed;
    for (size_t m = 0; m < matches->size(); ++m) {
      listed.insert(std::string((*matches)[m].id));
      if (m > 0) {
        EXPECT_LE((*matches)[m].alignment.score, (*matches)[m - 1].alignment.score);
      }
    }
    EXPECT_EQ(listed, family);
  }
  index->reset();
  fs::remove_all(dir);
}

// The recorded word offsets only save time: damaged ones (they are not
// covered by the documents' checksums) give the same matches.
TEST(FindDamageTest, DamagedWordOffsetsGiveTheSameMatches) {
  const fs::path dir =
      fs::temp_directory_path() / ("unspin_find_offsets_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto documents = Documents(40);
  const testing::Document* longest = &documents[0];
  for (const auto& document : documents) {
    if (document.text.size() > longest->text.size()) longest = &document;
  }
  ASSERT_GT(longest->text.size(), 20000u);
  {
    auto writer = IndexWriter::Create(dir, DefaultClasses(), {});
    ASSERT_TRUE(writer.ok());
    for (const auto& document : documents) {
      ASSERT_TRUE((*writer)->Add({document.id, document.text, "{}"}).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  const size_t begin = longest->text.find(' ', longest->text.size() * 2 / 3);
  const std::string excerpt =
      Spin(longest->text.substr(begin + 1, 1500), simulate::Style::kPhrase, 0.3, 7);
  auto find = [&]() {
    auto index = Index::Open(dir, DefaultClasses().fingerprint());
    EXPECT_TRUE(index.ok());
    auto matches = Finder(**index, DefaultClasses()).Find(excerpt);
    EXPECT_TRUE(matches.ok());
    std::vector<std::pair<std::string, Alignment>> found;
    for (const Match& match : *matches) found.emplace_back(match.id, match.alignment);
    return found;
  };
  const auto intact = find();
  ASSERT_FALSE(intact.empty());
  EXPECT_EQ(intact[0].first, longest->id);

  std::string segment;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".usx") segment = entry.path();
  }
  auto file = SectionFile::Open(segment, kIndexMagic, kIndexVersion, VerifyChecksums::kNo);
  ASSERT_TRUE(file.ok());
  std::optional<SectionInfo> offsets;
  for (const SectionInfo& info : file->sections()) {
    if (info.tag == SectionTag("WOFF")) offsets = info;
  }
  ASSERT_TRUE(offsets.has_value());
  ASSERT_GT(offsets->size, 64u);
  {
    // Each offset replaced by the one before it: in bounds and in order, but
    // every word is counted a stride off.
    std::fstream file_bytes(segment, std::ios::binary | std::ios::in | std::ios::out);
    std::vector<uint32_t> values(offsets->size / 4);
    file_bytes.seekg(static_cast<std::streamoff>(offsets->offset));
    file_bytes.read(reinterpret_cast<char*>(values.data()),
                    static_cast<std::streamsize>(offsets->size));
    std::rotate(values.rbegin(), values.rbegin() + 1, values.rend());
    values[0] = 0;
    file_bytes.seekp(static_cast<std::streamoff>(offsets->offset));
    file_bytes.write(reinterpret_cast<const char*>(values.data()),
                     static_cast<std::streamsize>(offsets->size));
  }
  const auto damaged = find();
  ASSERT_EQ(damaged.size(), intact.size());
  for (size_t i = 0; i < intact.size(); ++i) {
    EXPECT_EQ(damaged[i].first, intact[i].first);
    ExpectSameAlignment(damaged[i].second, intact[i].second);
  }
  auto index = Index::Open(dir, DefaultClasses().fingerprint());
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->Verify().code(), StatusCode::kCorruption);
  index->reset();
  fs::remove_all(dir);
}

TEST_F(FindTest, UnrelatedTextsMatchNothing) {
  Finder finder(*index_, DefaultClasses());
  // The documents after the indexed ones: the same topics and vocabulary
  // (consecutive glosses), not copies of indexed ones.
  for (const auto& other : Documents(25, 150)) {
    auto matches = finder.Find(other.text.substr(0, 4000));
    ASSERT_TRUE(matches.ok());
    EXPECT_TRUE(matches->empty()) << other.id << " matched " << (*matches)[0].id << " at "
                                  << (*matches)[0].alignment.score;
  }
  auto empty = finder.Find("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(finder.Find(std::string("\xFF\xFE", 2)).status().code(), StatusCode::kInvalidArgument);
}

TEST(AlignTest, SubstitutionsAreTheSpinnersChanges) {
  const std::string source =
      "The city council voted on Tuesday to repair the old harbor bridge before winter, and "
      "engineers said the steel supports had cracked.";
  const std::string query =
      "The city council voted on Tuesday to mend the old harbor bridge before winter, and "
      "engineers said the steel supports had actually cracked.";
  Alignment alignment = Align(DefaultClasses().Classify(query), DefaultClasses().Classify(source));
  ASSERT_EQ(alignment.blocks.size(), 1u);
  EXPECT_DOUBLE_EQ(alignment.coverage, 1.0);
  std::vector<std::pair<std::string, std::string>> changes;
  for (const SpanPair& sub : alignment.blocks[0].substitutions) {
    changes.emplace_back(query.substr(sub.query_begin, sub.query_end - sub.query_begin),
                         source.substr(sub.source_begin, sub.source_end - sub.source_begin));
  }
  EXPECT_EQ(changes, (std::vector<std::pair<std::string, std::string>>{{"mend", "repair"},
                                                                       {"actually", ""}}));
  EXPECT_LT(alignment.score, 1.0);
  EXPECT_GT(alignment.score, 0.85);
}

// Copies of one source spun differently: where two of them agree against the
// third, they win; where one source disagrees with a spun copy, the weights
// decide; a tie keeps the text as it is.
TEST(RestoreByVoteTest, AgreeingCopiesOutvoteTheTextAndTiesKeepIt) {
  const std::string query =
      "The city council voted on Tuesday to mend the old harbor bridge before winter, and "
      "engineers stated the steel supports had cracked.";
  const std::string sibling_a =
      "The city council voted on Tuesday to repair the old harbor bridge before winter, and "
      "engineers said the metal supports had cracked.";
  const std::string sibling_b =
      "The city council voted on Tuesday to repair the old harbor bridge ahead of winter, and "
      "engineers said the steel supports had cracked.";
  const Match a = AlignedWith(query, sibling_a);
  const Match b = AlignedWith(query, sibling_b);
  const std::vector<Witness> both = {{&a, 1.0}, {&b, 1.0}};
  // "mend" and "stated": both copies say otherwise; "steel" and "before":
  // one copy keeps the text's word, so the text (weight 1) and it outvote the other.
  EXPECT_EQ(RestoreByVote(query, 1.0, both),
            "The city council voted on Tuesday to repair the old harbor bridge before winter, and "
            "engineers said the steel supports had cracked.");
  // One copy against the text at equal weight: nothing changes.
  EXPECT_EQ(RestoreByVote(query, 1.0, std::vector<Witness>{{&a, 1.0}}), query);
  // Trusted more (a source), one document restores alone, as RestoreFromMatch does.
  EXPECT_EQ(RestoreByVote(query, 0.2, std::vector<Witness>{{&a, 0.9}}), RestoreFromMatch(query, a));
  EXPECT_EQ(RestoreFromMatch(query, a), sibling_a);
  // A change merged with a word the text lacks: the word comes back in its place.
  const std::string with_word = "engineers said the supports had actually cracked";
  const std::string without = "engineers stated the supports had cracked";
  EXPECT_EQ(RestoreFromMatch(without, OneChange(without, with_word, {10, 41, 10, 48})), with_word);
  // Words inserted where the text has none are set apart from its words.
  const std::string titled = "Harbor bridge repairs\n\nThe council met.";
  const std::string short_title = "Harbor\n\nThe council met.";
  EXPECT_EQ(RestoreFromMatch(short_title, OneChange(short_title, titled, {6, 6, 7, 21})), titled);
  // A fallback (the model's) changes only what no witness attests or decides:
  // not "city" (a's block holds the text's word), not "mend" (voted on).
  const std::vector<Replacement> fallback = {{4, 8, "town"}, {37, 41, "fix"}};
  EXPECT_EQ(RestoreByVote(query, 1.0, std::vector<Witness>{{&a, 1.0}}, fallback), query);
  EXPECT_EQ(RestoreByVote(query, 1.0, {}, fallback),
            "The town council voted on Tuesday to fix the old harbor bridge before winter, and "
            "engineers stated the steel supports had cracked.");
  // No witnesses: the text as it is.
  EXPECT_EQ(RestoreByVote(query, 1.0, {}), query);
}

// What find relies on to skip most stored texts: the alignment against class
// codes scores at least as high as the exact one, with the same coverage.
TEST(AlignTest, ClassCodesBoundTheExactScore) {
  const auto documents = Documents(8, 300);
  for (size_t i = 0; i < documents.size(); ++i) {
    const ClassedText source = DefaultClasses().Classify(documents[i].text);
    for (size_t j = 0; j < documents.size(); j += 7) {
      const std::string query = j == 0 ? Spin(documents[i].text, simulate::Style::kPhrase, 0.4, i)
                                       : documents[(i + j) % documents.size()].text;
      const ClassedText classed_query = DefaultClasses().Classify(query);
      const Alignment exact = Align(classed_query, source);
      const Alignment rough = AlignToCodes(classed_query, ClassCodes(source));
      EXPECT_GE(rough.score, exact.score);
      EXPECT_DOUBLE_EQ(rough.coverage, exact.coverage);
      EXPECT_EQ(rough.blocks.size(), exact.blocks.size());
    }
  }
}

// Query words between two runs count as substituted words only as far as the
// source has words there: an inserted clause covers the query but earns
// nothing, where a spinner's one-for-one change earns half.
TEST(AlignTest, GapWordsCountOnlyAsFarAsTheSourceHasWords) {
  const std::string head = "The city council voted on Monday";
  const std::string tail = " to close the old harbor bridge for six months of repairs.";
  auto align = [&](const std::string& query) {
    return Align(DefaultClasses().Classify(query), DefaultClasses().Classify(head + tail));
  };
  const Alignment inserted = align(head + ", after a long and bitter debate," + tail);
  ASSERT_EQ(inserted.blocks.size(), 1u);
  EXPECT_EQ(inserted.coverage, 1.0);
  EXPECT_EQ(inserted.identical_words + 6, inserted.query_words);
  EXPECT_DOUBLE_EQ(inserted.score,
                   static_cast<double>(inserted.identical_words) / inserted.query_words);
  const Alignment swapped = align(head + " to shut" + tail.substr(9));
  const uint32_t changed = swapped.query_words - swapped.identical_words;
  EXPECT_GT(changed, 0u);
  EXPECT_DOUBLE_EQ(swapped.score, (swapped.identical_words + 0.5 * changed) / swapped.query_words);
}

TEST(AlignTest, ShortChanceOverlapsAreNotEvidence) {
  const std::string source =
      "Prices rose in the United States last year, officials said on Monday.";
  const std::string query = "The team won in the United States in a close final, its coach said.";
  Alignment alignment = Align(DefaultClasses().Classify(query), DefaultClasses().Classify(source));
  EXPECT_TRUE(alignment.blocks.empty());
  EXPECT_EQ(alignment.coverage, 0.0);
}

// Two texts of one template (two companies' earnings, every number
// different) are not copies; a spun copy of one, its numbers kept, is.
TEST(AlignTest, TemplatesWithOtherNumbersAreNotCopies) {
  auto table = [](int seed) {
    std::string text;
    for (const char* line :
         {"Shr %d cts vs %d cts", "Net profit %d,%03d vs %d,%03d", "Revs %d.%d mln vs %d.%d mln",
          "Avg shrs %d.%d mln vs %d.%d mln", "Nine mths", "Shr %d cts vs %d cts",
          "Net profit %d,%03d vs %d,%03d", "Revs %d.%d mln vs %d.%d mln"}) {
      char buffer[128];
      const int a = 11 + seed * 7, b = 13 + seed * 5;
      std::snprintf(buffer, sizeof buffer, line, a, (a * 37) % 1000, b, (b * 91) % 1000);
      text += std::string(buffer) + "\n\n";
    }
    return text;
  };
  const std::string source = table(1);
  const ClassedText classed_source = DefaultClasses().Classify(source);
  EXPECT_LT(Align(DefaultClasses().Classify(table(2)), classed_source).score,
            FindOptions{}.min_score);
  std::string copy = source;
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"profit", "earnings"}, {"Nine", "9"}}) {
    for (size_t at = copy.find(from); at != std::string::npos; at = copy.find(from, at + 1)) {
      copy.replace(at, from.size(), to);
    }
  }
  EXPECT_GT(Align(DefaultClasses().Classify(copy), classed_source).score, 0.8);
}

// Notices of one form (a bond issue announced in the same words by a hundred
// issuers, each with its own particulars) are not copies of each other: a new
// notice of the form, spun, matches none of them, while a spun copy of one
// still finds it first.
TEST(FindTemplateTest, NoticesOfOneFormAreNotCopies) {
  const fs::path dir =
      fs::temp_directory_path() / ("unspin_find_template_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string form =
      "The issuing office of the regional savings banks said it is launching a domestic bond "
      "issue on behalf of its member institutions. Subscriptions close at the end of next week, "
      "and the proceeds will be partly used to repay an earlier bond maturing in the spring.";
  const std::vector<std::string>& sentences = test_data::WordNetExamples();
  // Notice k: the form and three example sentences of its own (its
  // particulars), before the form or after it.
  auto notice = [&](size_t k) {
    const std::string particulars =
        sentences[3 * k] + " " + sentences[3 * k + 1] + " " + sentences[3 * k + 2];
    return k % 2 == 0 ? particulars + "\n\n" + form : form + "\n\n" + particulars;
  };
  constexpr size_t kNotices = 100;
  {
    auto writer = IndexWriter::Create(dir, DefaultClasses(), {});
    ASSERT_TRUE(writer.ok());
    for (size_t k = 0; k < kNotices; ++k) {
      ASSERT_TRUE((*writer)->Add({"notice-" + std::to_string(k), notice(k), "{}"}).ok());
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  auto index = Index::Open(dir, DefaultClasses().fingerprint());
  ASSERT_TRUE(index.ok());
  ASSERT_LT((*index)->common_frequency(), kNotices);
  const Finder finder(**index, DefaultClasses());
  for (size_t k = kNotices; k < kNotices + 10; ++k) {
    const std::string query = Spin(notice(k), simulate::Style::kThesaurus, 0.5, k);
    // The form alone aligns with every notice, as a copy would.
    EXPECT_GT(Align(DefaultClasses().Classify(query), DefaultClasses().Classify(notice(0))).score,
              FindOptions{}.min_score);
    auto matches = finder.Find(query);
    ASSERT_TRUE(matches.ok());
    EXPECT_TRUE(matches->empty()) << k << " matched " << (*matches)[0].id << " at "
                                  << (*matches)[0].alignment.score;
  }
  for (size_t k : {3, 42, 77}) {
    auto matches = finder.Find(Spin(notice(k), simulate::Style::kThesaurus, 0.5, k));
    ASSERT_TRUE(matches.ok());
    ASSERT_FALSE(matches->empty()) << k;
    EXPECT_EQ((*matches)[0].id, "notice-" + std::to_string(k));
  }
  index->reset();
  fs::remove_all(dir);
}

TEST(ClusterTest, FamiliesOfCopiesWithoutChaining) {
  const fs::path dir =
      fs::temp_directory_path() / ("unspin_cluster_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto sources = Documents(12, 200);
  {
    auto writer = IndexWriter::Create(dir, DefaultClasses(), {});
    ASSERT_TRUE(writer.ok());
    for (size_t i = 0; i < sources.size(); ++i) {
      ASSERT_TRUE((*writer)->Add({sources[i].id, sources[i].text, "{}"}).ok());
      // Two spun copies of every other source.
      if (i % 2 == 0) {
        for (uint64_t copy = 1; copy <= 2; ++copy) {
          ASSERT_TRUE(
              (*writer)
                  ->Add({sources[i].id + "#copy" + std::to_string(copy),
                         Spin(sources[i].text, simulate::Style::kThesaurus, 0.4, i * 10 + copy),
                         "{}"})
                  .ok());
        }
      }
    }
    ASSERT_TRUE((*writer)->Commit().ok());
  }
  auto index = Index::Open(dir, DefaultClasses().fingerprint());
  ASSERT_TRUE(index.ok());
  auto found = ClusterIndex(**index, DefaultClasses());
  ASSERT_TRUE(found.ok());
  const std::vector<Cluster>& clusters = *found;
  EXPECT_EQ(clusters.size(), 6u);
  for (const Cluster& cluster : clusters) {
    const std::string center(std::string((*index)->Document(cluster.center).id));
    const std::string family = center.substr(0, center.find('#'));
    EXPECT_EQ(cluster.members.size(), 2u) << center;
    for (const auto& [member, score] : cluster.members) {
      const std::string id((*index)->Document(member).id);
      EXPECT_EQ(id.substr(0, id.find('#')), family);
      EXPECT_GE(score, FindOptions{}.min_score);
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace unspin::source
