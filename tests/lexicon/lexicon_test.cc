#include "unspin/lexicon/lexicon.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lexicon/entry_text.h"
#include "lexicon/layout.h"

namespace unspin::lexicon {
namespace {

constexpr FileMagic kTestMagic = {'U', 'N', 'S', 'P', 'L', 'X', 'T', '1'};
constexpr uint32_t kTestVersion = 1;
const std::string kDataDir = std::string(UNSPIN_TEST_DATA_DIR) + "/lexicon";

std::filesystem::path TempDir() {
  return std::filesystem::temp_directory_path() /
         ("unspin_lexicon_test_" + std::to_string(::getpid()));
}

std::string TempPath(const std::string& name) {
  std::filesystem::create_directories(TempDir());
  return (TempDir() / name).string();
}

// Removes this process's temporary files when the tests end.
class TempDirCleaner : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(TempDir(), ignored);
  }
};
[[maybe_unused]] ::testing::Environment* const kTempDirCleaner =
    ::testing::AddGlobalTestEnvironment(new TempDirCleaner);

// A vocabulary and a lexicon built from thesaurus files, written to a section
// file and opened again: every query in these tests goes through the mapped view.
class Built {
 public:
  Status Build(const std::string& wordnet_dir, const std::string& mythes_path,
               const std::string& file_name, bool closed_class = false) {
    LexiconBuilder builder(&vocab);
    if (!wordnet_dir.empty()) UNSPIN_RETURN_IF_ERROR(builder.AddWordNet(wordnet_dir));
    if (!mythes_path.empty()) UNSPIN_RETURN_IF_ERROR(builder.AddMythes(mythes_path));
    if (closed_class) builder.AddClosedClassSynonyms();
    builder_stats = builder.stats();
    SectionFileWriter writer(kTestMagic, kTestVersion);
    builder.Serialize(&writer);
    path = TempPath(file_name);
    UNSPIN_RETURN_IF_ERROR(writer.Write(path));
    UNSPIN_ASSIGN_OR_RETURN(SectionFile opened, SectionFile::Open(path, kTestMagic, kTestVersion));
    file = std::make_unique<SectionFile>(std::move(opened));
    UNSPIN_ASSIGN_OR_RETURN(lexicon, Lexicon::Open(*file));
    return Status::Ok();
  }

  std::vector<WordId> Words(std::string_view text) const {
    std::vector<std::string> words;
    internal::SplitEntryText(text, &words);
    std::vector<WordId> ids;
    for (const std::string& word : words) ids.push_back(vocab.Find(word).value_or(kUnknownWord));
    return ids;
  }
  std::optional<EntryId> Entry(std::string_view text) const {
    std::vector<WordId> ids = Words(text);
    return lexicon.FindEntry(ids);
  }
  std::string Text(EntryId entry) const {
    std::string text;
    for (WordId word : lexicon.EntryWords(entry)) {
      if (!text.empty()) text += ' ';
      text += vocab.Word(word);
    }
    return text;
  }
  WordId Word(std::string_view word) const { return vocab.Find(word).value_or(kUnknownWord); }

  // The edge from `from` to `to` with `relation`, if any.
  std::optional<Edge> FindEdge(std::string_view from, std::string_view to,
                               std::optional<Relation> relation = std::nullopt) const {
    std::optional<EntryId> a = Entry(from);
    std::optional<EntryId> b = Entry(to);
    if (!a || !b) return std::nullopt;
    for (const Edge& edge : lexicon.Neighbors(*a)) {
      if (edge.target == *b && (!relation || edge.relation == *relation)) return edge;
    }
    return std::nullopt;
  }

  // Breadth-first distance, ignoring antonyms; -1 beyond max_hops.
  int Distance(std::string_view from, std::string_view to, int max_hops) const {
    std::optional<EntryId> a = Entry(from);
    std::optional<EntryId> b = Entry(to);
    if (!a || !b) return -1;
    std::vector<int> depth(lexicon.entry_count(), -1);
    std::deque<EntryId> queue{*a};
    depth[ToIndex(*a)] = 0;
    while (!queue.empty()) {
      EntryId at = queue.front();
      queue.pop_front();
      if (at == *b) return depth[ToIndex(at)];
      if (depth[ToIndex(at)] == max_hops) continue;
      for (const Edge& edge : lexicon.Neighbors(at)) {
        if (edge.relation == Relation::kAntonym || depth[ToIndex(edge.target)] >= 0) continue;
        depth[ToIndex(edge.target)] = depth[ToIndex(at)] + 1;
        queue.push_back(edge.target);
      }
    }
    return -1;
  }

  std::vector<LemmaReading> Lemmatize(std::string_view form) const {
    std::vector<LemmaReading> readings;
    if (std::optional<WordId> id = vocab.Find(form)) lexicon.Lemmatize(*id, &readings);
    return readings;
  }
  bool HasReading(std::string_view form, std::string_view lemma, PartOfSpeech pos,
                  Inflection inflection) const {
    std::optional<WordId> lemma_id = vocab.Find(lemma);
    if (!lemma_id) return false;
    std::vector<LemmaReading> readings = Lemmatize(form);
    return std::find(readings.begin(), readings.end(), LemmaReading{*lemma_id, pos, inflection}) !=
           readings.end();
  }
  std::string Inflect(std::string_view lemma, PartOfSpeech pos, Inflection inflection) const {
    std::optional<WordId> lemma_id = vocab.Find(lemma);
    if (!lemma_id) return "<no lemma>";
    std::optional<WordId> form = lexicon.Inflect(*lemma_id, pos, inflection);
    return form ? std::string(vocab.Word(*form)) : "<none>";
  }

  VocabularyBuilder vocab;
  LexiconStats builder_stats;
  std::string path;
  std::unique_ptr<SectionFile> file;
  Lexicon lexicon;
};

// Every edge has its reverse with the inverse relation, the same parts of
// speech swapped and the same sources.
void ExpectSymmetric(const Lexicon& lexicon) {
  uint64_t checked = 0;
  for (uint32_t i = 0; i < lexicon.entry_count(); ++i) {
    EntryId entry{i};
    for (const Edge& edge : lexicon.Neighbors(entry)) {
      Relation inverse = edge.relation == Relation::kHypernym  ? Relation::kHyponym
                         : edge.relation == Relation::kHyponym ? Relation::kHypernym
                                                               : edge.relation;
      bool found = false;
      for (const Edge& back : lexicon.Neighbors(edge.target)) {
        if (back.target == entry && back.relation == inverse && back.pos == edge.source_pos &&
            back.source_pos == edge.pos && back.sources == edge.sources) {
          found = true;
          break;
        }
      }
      ASSERT_TRUE(found) << "entry " << i << " -> " << ToIndex(edge.target);
      ++checked;
    }
  }
  EXPECT_EQ(checked, lexicon.stats().edges);
}

// Inflect and Lemmatize agree: every form Inflect gives lemmatises back.
void ExpectRoundTrips(const Built& built) {
  const Lexicon& lexicon = built.lexicon;
  uint64_t forms = 0;
  std::vector<LemmaReading> readings;
  for (uint32_t i = 0; i < lexicon.entry_count(); ++i) {
    std::span<const WordId> words = lexicon.EntryWords(EntryId{i});
    if (words.size() != 1) continue;
    for (int pos = 0; pos < 4; ++pos) {
      for (int infl = 1; infl < kInflectionCount; ++infl) {
        LemmaReading want{words[0], static_cast<PartOfSpeech>(pos), static_cast<Inflection>(infl)};
        std::optional<WordId> form = lexicon.Inflect(want.lemma, want.pos, want.inflection);
        if (!form) continue;
        readings.clear();
        lexicon.Lemmatize(*form, &readings);
        ASSERT_NE(std::find(readings.begin(), readings.end(), want), readings.end())
            << built.vocab.Word(*form) << " does not lemmatise to " << built.vocab.Word(words[0]);
        ++forms;
      }
    }
  }
  EXPECT_GT(forms, 0u);
}

class LexiconFixtureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    built_ = new Built;
    Status status =
        built_->Build(kDataDir + "/wordnet", kDataDir + "/th_sample.dat", "fixture.lex");
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  static void TearDownTestSuite() {
    delete built_;
    built_ = nullptr;
  }
  static Built* built_;
};
Built* LexiconFixtureTest::built_ = nullptr;

TEST_F(LexiconFixtureTest, StatsMatchBetweenBuilderAndView) {
  LexiconStats view = built_->lexicon.stats();
  EXPECT_EQ(view.entries, built_->builder_stats.entries);
  EXPECT_EQ(view.multiword_entries, built_->builder_stats.multiword_entries);
  EXPECT_EQ(view.edges, built_->builder_stats.edges);
  EXPECT_EQ(view.morphology_forms, built_->builder_stats.morphology_forms);
  EXPECT_GT(view.entries, 30u);
  EXPECT_GT(view.multiword_entries, 5u);
  EXPECT_GT(built_->lexicon.word_id_limit(), 3u);
  EXPECT_LE(built_->lexicon.word_id_limit(), built_->vocab.size());
}

TEST_F(LexiconFixtureTest, FindsWordsAndPhrases) {
  const Built& b = *built_;
  ASSERT_TRUE(b.Entry("decrease"));
  EXPECT_EQ(b.Text(*b.Entry("decrease")), "decrease");
  ASSERT_TRUE(b.Entry("give up"));
  EXPECT_EQ(b.lexicon.EntryWords(*b.Entry("give up")).size(), 2u);
  EXPECT_EQ(b.Entry("give_up"), b.Entry("give up"));
  ASSERT_TRUE(b.Entry("back yard"));
  ASSERT_TRUE(b.Entry("stop working"));
  ASSERT_TRUE(b.Entry("o'clock"));
  EXPECT_EQ(b.lexicon.EntryWords(*b.Entry("o'clock")).size(), 1u);
  std::optional<EntryId> hyphenated = b.Entry("military-to-military");
  ASSERT_TRUE(hyphenated);
  EXPECT_EQ(b.Text(*hyphenated), "military - to - military");
  EXPECT_GE(b.lexicon.max_entry_words(), 5u);
  // Entries are lower-cased; "O.K." keeps its full stops.
  EXPECT_TRUE(b.Entry("roger bacon"));
  EXPECT_TRUE(b.Entry("o.k."));
  EXPECT_FALSE(b.Entry("no such phrase"));
  EXPECT_FALSE(b.lexicon.FindEntry({}));
  // Parts of speech.
  uint8_t decrease = b.lexicon.EntryPartsOfSpeech(*b.Entry("decrease"));
  EXPECT_EQ(decrease, (1u << 0) | (1u << 1));
  // Out-of-range ids give empty answers.
  EntryId bad{static_cast<uint32_t>(b.lexicon.entry_count())};
  EXPECT_TRUE(b.lexicon.EntryWords(bad).empty());
  EXPECT_TRUE(b.lexicon.Neighbors(bad).empty());
  EXPECT_EQ(b.lexicon.EntryPartsOfSpeech(bad), 0);
}

TEST_F(LexiconFixtureTest, FindEntryAgreesWithLinearScan) {
  const Lexicon& lexicon = built_->lexicon;
  for (uint32_t i = 0; i < lexicon.entry_count(); ++i) {
    std::span<const WordId> words = lexicon.EntryWords(EntryId{i});
    std::optional<EntryId> scanned;
    for (uint32_t j = 0; j < lexicon.entry_count() && !scanned; ++j) {
      std::span<const WordId> other = lexicon.EntryWords(EntryId{j});
      if (std::equal(words.begin(), words.end(), other.begin(), other.end())) scanned = EntryId{j};
    }
    EXPECT_EQ(lexicon.FindEntry(words), scanned);
    EXPECT_EQ(scanned, EntryId{i});  // entries are unique
  }
}

// The closed-class groups join the thesauri's graph: synonyms both ways among
// every member of a group, marked with their own source bit, and OR-ed with a
// thesaurus's bit where one gives the same edge.
TEST(ClosedClassTest, GroupsAreSynonymsBothWays) {
  Built plain;
  ASSERT_TRUE(plain.Build(kDataDir + "/wordnet", kDataDir + "/th_sample.dat", "plain.lex").ok());
  Built b;
  Status status = b.Build(kDataDir + "/wordnet", kDataDir + "/th_sample.dat", "closed.lex",
                          /*closed_class=*/true);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ExpectSymmetric(b.lexicon);
  EXPECT_FALSE(plain.FindEdge("in spite of", "despite"));
  for (const auto& [from, to] : {std::pair{"in spite of", "despite"},
                                 {"despite", "notwithstanding"},
                                 {"throughout", "during"},
                                 {"however", "but"},
                                 {"in between", "between"},
                                 {"previously", "earlier"}}) {
    for (const auto& [a, c] : {std::pair{from, to}, {to, from}}) {
      std::optional<Edge> edge = b.FindEdge(a, c, Relation::kSynonym);
      ASSERT_TRUE(edge) << a << " -> " << c;
      EXPECT_NE(edge->sources & kSourceClosedClass, 0) << a << " -> " << c;
      EXPECT_EQ(edge->pos, PartOfSpeech::kOther);
    }
  }
  // Different groups stay apart.
  EXPECT_FALSE(b.FindEdge("despite", "during"));
  // Every edge the thesauri gave is still there, with its sources.
  for (uint32_t i = 0; i < plain.lexicon.entry_count(); ++i) {
    const EntryId entry{i};
    const std::optional<EntryId> same = b.Entry(plain.Text(entry));
    ASSERT_TRUE(same) << plain.Text(entry);
    for (const Edge& edge : plain.lexicon.Neighbors(entry)) {
      std::optional<Edge> kept =
          b.FindEdge(plain.Text(entry), plain.Text(edge.target), edge.relation);
      ASSERT_TRUE(kept) << plain.Text(entry) << " -> " << plain.Text(edge.target);
      EXPECT_EQ(kept->sources & ~kSourceClosedClass, edge.sources);
    }
  }
}

TEST_F(LexiconFixtureTest, EdgesGoBothWays) {
  const Built& b = *built_;
  ExpectSymmetric(b.lexicon);
  // WordNet synset: synonyms both ways.
  ASSERT_TRUE(b.FindEdge("decrease", "diminish", Relation::kSynonym));
  ASSERT_TRUE(b.FindEdge("diminish", "decrease", Relation::kSynonym));
  // WordNet verb group, given in both files.
  std::optional<Edge> group = b.FindEdge("decline", "decrease", Relation::kVerbGroup);
  ASSERT_TRUE(group);
  EXPECT_EQ(group->pos, PartOfSpeech::kVerb);
  EXPECT_EQ(group->sources, kSourceWordNet);
  // A hypernym given one way only is stored both ways, inverted.
  ASSERT_TRUE(b.FindEdge("backyard", "yard", Relation::kHypernym));
  ASSERT_TRUE(b.FindEdge("yard", "backyard", Relation::kHyponym));
  ASSERT_TRUE(b.FindEdge("back yard", "yard", Relation::kHypernym));
  // Cross-POS derivation keeps both parts of speech.
  std::optional<Edge> derivation = b.FindEdge("decrease", "decrease");
  EXPECT_FALSE(derivation);  // no self loops
  // MyThes: headword -> phrase and back.
  std::optional<Edge> stop = b.FindEdge("stop working", "fail", Relation::kSynonym);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->sources, kSourceMythes);
  EXPECT_EQ(stop->pos, PartOfSpeech::kVerb);
  // Given by both thesauri: one edge, both source bits.
  std::optional<Edge> wrong = b.FindEdge("fail", "go wrong", Relation::kSynonym);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->sources, kSourceWordNet | kSourceMythes);
  // Annotated MyThes terms.
  EXPECT_TRUE(b.FindEdge("counterpart", "person", Relation::kHypernym));
  EXPECT_TRUE(b.FindEdge("person", "counterpart", Relation::kHyponym));
  EXPECT_TRUE(b.FindEdge("equivalent", "counterpart", Relation::kSynonym));
  EXPECT_TRUE(b.FindEdge("o.k.", "sanction", Relation::kSimilar));
  EXPECT_TRUE(b.FindEdge("ratify", "sanction", Relation::kRelated));
  EXPECT_TRUE(b.FindEdge("approved", "sanction") == std::nullopt);
  EXPECT_TRUE(b.FindEdge("approve", "sanction", Relation::kSynonym));
  // Antonyms are kept as their own kind.
  std::optional<Edge> antonym = b.FindEdge("succeed", "fail");
  ASSERT_TRUE(antonym);
  EXPECT_EQ(antonym->relation, Relation::kAntonym);
  // Similar-to across head and satellite adjectives; pertainym adverb -> adjective.
  EXPECT_TRUE(b.FindEdge("large", "big", Relation::kSimilar));
  EXPECT_TRUE(b.FindEdge("outback", "big", Relation::kSimilar));
  std::optional<Edge> pertainym = b.FindEdge("good", "well", Relation::kPertainym);
  ASSERT_TRUE(pertainym);
  EXPECT_EQ(pertainym->source_pos, PartOfSpeech::kAdjective);
  EXPECT_EQ(pertainym->pos, PartOfSpeech::kAdverb);
  // Lexical pointers link the named words only: decrease(n) <-> decrease(v).
  std::optional<EntryId> decrease = b.Entry("decrease");
  bool cross = false;
  for (const Edge& edge : b.lexicon.Neighbors(*b.Entry("diminish"))) {
    if (edge.relation == Relation::kDerivation) cross = true;
  }
  EXPECT_FALSE(cross);
  ASSERT_TRUE(decrease);
  EXPECT_EQ(b.Distance("decreased", "decrease", 2), 1);  // participle adjective
  EXPECT_EQ(b.Distance("decrease", "decline", 2), 1);
  EXPECT_EQ(b.Distance("counterpart", "twin", 1), 1);
}

TEST_F(LexiconFixtureTest, NeighborsAreSortedByRelation) {
  const Lexicon& lexicon = built_->lexicon;
  for (uint32_t i = 0; i < lexicon.entry_count(); ++i) {
    std::span<const Edge> edges = lexicon.Neighbors(EntryId{i});
    for (size_t j = 1; j < edges.size(); ++j) {
      auto key = [](const Edge& e) {
        return std::tuple(e.relation, e.source_pos, e.pos, ToIndex(e.target));
      };
      EXPECT_LT(key(edges[j - 1]), key(edges[j]));
    }
  }
}

TEST_F(LexiconFixtureTest, LemmatizesRegularAndIrregularForms) {
  const Built& b = *built_;
  using enum PartOfSpeech;
  using enum Inflection;
  EXPECT_TRUE(b.HasReading("decreased", "decrease", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("decreased", "decrease", kVerb, kPastParticiple));
  EXPECT_TRUE(b.HasReading("decreased", "decreased", kAdjective, kBase));
  EXPECT_TRUE(b.HasReading("declined", "decline", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("backyards", "backyard", kNoun, kPlural));
  EXPECT_TRUE(b.HasReading("yards", "yard", kNoun, kPlural));
  EXPECT_TRUE(b.HasReading("studies", "study", kVerb, kThirdPersonSingular));
  EXPECT_TRUE(b.HasReading("studied", "study", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("studying", "study", kVerb, kPresentParticiple));
  EXPECT_TRUE(b.HasReading("bigger", "big", kAdjective, kComparative));
  EXPECT_TRUE(b.HasReading("biggest", "big", kAdjective, kSuperlative));
  EXPECT_TRUE(b.HasReading("went", "go", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("gone", "go", kVerb, kPastParticiple));
  EXPECT_FALSE(b.HasReading("gone", "go", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("children", "child", kNoun, kPlural));
  EXPECT_TRUE(b.HasReading("policemen", "policeman", kNoun, kPlural));
  EXPECT_TRUE(b.HasReading("better", "good", kAdjective, kComparative));
  EXPECT_TRUE(b.HasReading("better", "well", kAdverb, kComparative));
  EXPECT_TRUE(b.HasReading("learnt", "learn", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("learned", "learn", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("travelled", "travel", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("traveled", "travel", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("sanctioned", "sanction", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("failed", "fail", kVerb, kPast));
  // A base form reads as itself.
  EXPECT_TRUE(b.HasReading("decline", "decline", kVerb, kBase));
  // Unknown words have no readings.
  std::vector<LemmaReading> none;
  b.lexicon.Lemmatize(kUnknownWord, &none);
  EXPECT_TRUE(none.empty());
}

TEST_F(LexiconFixtureTest, InflectsRegularAndIrregularLemmas) {
  const Built& b = *built_;
  using enum PartOfSpeech;
  using enum Inflection;
  EXPECT_EQ(b.Inflect("decline", kVerb, kPast), "declined");
  EXPECT_EQ(b.Inflect("decline", kVerb, kPresentParticiple), "declining");
  EXPECT_EQ(b.Inflect("decline", kVerb, kBase), "decline");
  EXPECT_EQ(b.Inflect("yard", kNoun, kPlural), "yards");
  EXPECT_EQ(b.Inflect("backyard", kNoun, kPlural), "backyards");
  EXPECT_EQ(b.Inflect("study", kVerb, kThirdPersonSingular), "studies");
  EXPECT_EQ(b.Inflect("study", kVerb, kPast), "studied");
  EXPECT_EQ(b.Inflect("study", kVerb, kPresentParticiple), "studying");
  EXPECT_EQ(b.Inflect("stop", kVerb, kPast), "stopped");
  EXPECT_EQ(b.Inflect("stop", kVerb, kPresentParticiple), "stopping");
  EXPECT_EQ(b.Inflect("admit", kVerb, kPast), "admitted");  // from the exception list
  EXPECT_EQ(b.Inflect("die", kVerb, kPresentParticiple), "dying");
  EXPECT_EQ(b.Inflect("go", kVerb, kPast), "went");
  EXPECT_EQ(b.Inflect("go", kVerb, kPastParticiple), "gone");
  EXPECT_EQ(b.Inflect("go", kVerb, kThirdPersonSingular), "goes");
  EXPECT_EQ(b.Inflect("overtake", kVerb, kPast), "overtook");
  EXPECT_EQ(b.Inflect("overtake", kVerb, kPastParticiple), "overtaken");
  EXPECT_EQ(b.Inflect("travel", kVerb, kPast), "traveled");  // US spelling preferred
  EXPECT_EQ(b.Inflect("learn", kVerb, kPast), "learned");
  EXPECT_EQ(b.Inflect("sanction", kVerb, kPast), "sanctioned");
  EXPECT_EQ(b.Inflect("approve", kVerb, kPast), "approved");
  EXPECT_EQ(b.Inflect("child", kNoun, kPlural), "children");
  EXPECT_EQ(b.Inflect("policeman", kNoun, kPlural), "policemen");
  EXPECT_EQ(b.Inflect("big", kAdjective, kComparative), "bigger");
  EXPECT_EQ(b.Inflect("big", kAdjective, kSuperlative), "biggest");
  EXPECT_EQ(b.Inflect("large", kAdjective, kComparative), "larger");
  EXPECT_EQ(b.Inflect("happy", kAdjective, kSuperlative), "happiest");
  EXPECT_EQ(b.Inflect("good", kAdjective, kComparative), "better");
  EXPECT_EQ(b.Inflect("well", kAdverb, kSuperlative), "best");
  EXPECT_EQ(b.Inflect("beautiful", kAdjective, kComparative), "<none>");  // more beautiful
  EXPECT_EQ(b.Inflect("decline", kNoun, kPlural), "<none>");  // no noun reading in the sample
  EXPECT_EQ(b.Inflect("big", kVerb, kPast), "<none>");
  ExpectRoundTrips(b);
}

TEST(LexiconTest, ProperNamesGetNoRegularForms) {
  Built b;
  ASSERT_TRUE(b.Build(kDataDir + "/wordnet", "", "names.lex").ok());
  EXPECT_TRUE(b.Entry("bacon"));
  EXPECT_EQ(b.Inflect("bacon", PartOfSpeech::kNoun, Inflection::kPlural), "<none>");
  // MyThes then adds "bacon" the common noun ("cut of pork").
  Built both;
  ASSERT_TRUE(both.Build(kDataDir + "/wordnet", kDataDir + "/th_sample.dat", "names2.lex").ok());
  EXPECT_EQ(both.Inflect("bacon", PartOfSpeech::kNoun, Inflection::kPlural), "bacons");
}

TEST(LexiconTest, ReadsLatin1Thesaurus) {
  Built b;
  Status status = b.Build("", kDataDir + "/th_latin1.dat", "latin1.lex");
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(b.vocab.Find("caf\xc3\xa9"));
  EXPECT_TRUE(b.FindEdge("caf\xc3\xa9", "coffee shop", Relation::kSynonym));
  // "Café au lait": lower-cased through the Latin-1 capital É.
  EXPECT_TRUE(b.FindEdge("caf\xc3\xa9 au lait", "caf\xc3\xa9", Relation::kRelated));
}

TEST(LexiconTest, BadInputNamesFileAndLine) {
  VocabularyBuilder vocab;
  {
    LexiconBuilder builder(&vocab);
    Status status = builder.AddMythes(kDataDir + "/th_truncated.dat");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("th_truncated.dat:"), std::string::npos) << status.message();
  }
  {
    LexiconBuilder builder(&vocab);
    Status status = builder.AddMythes(kDataDir + "/th_bad_pos.dat");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("th_bad_pos.dat:3:"), std::string::npos) << status.message();
  }
  {
    LexiconBuilder builder(&vocab);
    Status status = builder.AddWordNet(kDataDir + "/wordnet_bad_pointer");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("data.noun:1:"), std::string::npos) << status.message();
  }
  {
    LexiconBuilder builder(&vocab);
    Status status = builder.AddWordNet(kDataDir + "/wordnet_bad_count");
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find("data.noun:1:"), std::string::npos) << status.message();
  }
  {
    LexiconBuilder builder(&vocab);
    EXPECT_EQ(builder.AddWordNet(kDataDir + "/no_such_dir").code(), StatusCode::kNotFound);
    EXPECT_EQ(builder.AddMythes(kDataDir + "/no_such.dat").code(), StatusCode::kNotFound);
  }
}

// Rewrites the lexicon file with section `tag` replaced by `bytes`.
std::string RewriteSection(const SectionFile& file, uint32_t tag, const std::string& bytes,
                           const std::string& name) {
  SectionFileWriter writer(kTestMagic, kTestVersion);
  for (const SectionInfo& info : file.sections()) {
    if (info.tag == tag) {
      writer.Add(info.tag, bytes);
    } else {
      writer.Add(info.tag, std::string(file.Section(info.tag).value()));
    }
  }
  std::string path = TempPath(name);
  EXPECT_TRUE(writer.Write(path).ok());
  return path;
}

// Exercises every query on a lexicon that opened; under ASan this catches any
// read the validation let through.
void TouchEverything(const Lexicon& lexicon) {
  std::vector<LemmaReading> readings;
  for (uint32_t i = 0; i < lexicon.entry_count(); ++i) {
    std::span<const WordId> words = lexicon.EntryWords(EntryId{i});
    (void)lexicon.FindEntry(words);
    for (const Edge& edge : lexicon.Neighbors(EntryId{i})) (void)lexicon.EntryWords(edge.target);
    for (WordId word : words) {
      readings.clear();
      lexicon.Lemmatize(word, &readings);
      for (const LemmaReading& r : readings) (void)lexicon.Inflect(r.lemma, r.pos, r.inflection);
    }
  }
}

TEST_F(LexiconFixtureTest, DamagedSectionsAreRejected) {
  const SectionFile& file = *built_->file;
  const uint32_t tags[] = {internal::kEntriesTag, internal::kEdgesTag, internal::kMorphologyTag};
  std::mt19937 random(1234);
  int opened_after_flip = 0;
  for (uint32_t tag : tags) {
    std::string original(file.Section(tag).value());
    SCOPED_TRACE(SectionTagName(tag));
    // Truncation at a spread of lengths: always Corruption.
    for (size_t length : {size_t{0}, size_t{3}, size_t{16}, original.size() / 3,
                          original.size() / 2, original.size() - 1}) {
      std::string path = RewriteSection(file, tag, original.substr(0, length), "truncated.lex");
      Result<SectionFile> damaged = SectionFile::Open(path, kTestMagic, kTestVersion);
      ASSERT_TRUE(damaged.ok());
      Result<Lexicon> lexicon = Lexicon::Open(*damaged);
      ASSERT_FALSE(lexicon.ok()) << "length " << length;
      EXPECT_EQ(lexicon.status().code(), StatusCode::kCorruption) << lexicon.status().ToString();
    }
    // A trailing byte.
    {
      std::string path = RewriteSection(file, tag, original + '\0', "longer.lex");
      Result<SectionFile> damaged = SectionFile::Open(path, kTestMagic, kTestVersion);
      ASSERT_TRUE(damaged.ok());
      EXPECT_EQ(Lexicon::Open(*damaged).status().code(), StatusCode::kCorruption);
    }
    // A future layout version.
    {
      std::string bytes = original;
      bytes[0] = static_cast<char>(internal::kLayoutVersion + 1);
      std::string path = RewriteSection(file, tag, bytes, "version.lex");
      Result<SectionFile> damaged = SectionFile::Open(path, kTestMagic, kTestVersion);
      ASSERT_TRUE(damaged.ok());
      EXPECT_EQ(Lexicon::Open(*damaged).status().code(), StatusCode::kVersionMismatch);
    }
    // Random byte changes: either rejected or safe to query.
    for (int trial = 0; trial < 60; ++trial) {
      std::string bytes = original;
      size_t at = std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(random);
      bytes[at] = static_cast<char>(bytes[at] ^ (1 + random() % 255));
      std::string path = RewriteSection(file, tag, bytes, "flipped.lex");
      Result<SectionFile> damaged = SectionFile::Open(path, kTestMagic, kTestVersion);
      ASSERT_TRUE(damaged.ok());
      Result<Lexicon> lexicon = Lexicon::Open(*damaged);
      if (lexicon.ok()) {
        ++opened_after_flip;
        TouchEverything(*lexicon);
      } else {
        EXPECT_EQ(lexicon.status().code(), StatusCode::kCorruption) << lexicon.status().ToString();
      }
    }
  }
  EXPECT_LT(opened_after_flip, 180);
}

TEST_F(LexiconFixtureTest, MissingSectionIsNotFound) {
  const SectionFile& file = *built_->file;
  SectionFileWriter writer(kTestMagic, kTestVersion);
  for (const SectionInfo& info : file.sections()) {
    if (info.tag != internal::kEdgesTag) {
      writer.Add(info.tag, std::string(file.Section(info.tag).value()));
    }
  }
  std::string path = TempPath("missing.lex");
  ASSERT_TRUE(writer.Write(path).ok());
  Result<SectionFile> partial = SectionFile::Open(path, kTestMagic, kTestVersion);
  ASSERT_TRUE(partial.ok());
  Result<Lexicon> lexicon = Lexicon::Open(*partial);
  EXPECT_EQ(lexicon.status().code(), StatusCode::kNotFound);
  EXPECT_NE(lexicon.status().message().find("LXED"), std::string::npos);
}

TEST(LexiconTest, EmptyBuilderRoundTrips) {
  Built b;
  ASSERT_TRUE(b.Build("", "", "empty.lex").ok());
  EXPECT_EQ(b.lexicon.stats().entries, 0u);
  EXPECT_FALSE(b.lexicon.FindEntry(b.Words("anything")));
  EXPECT_EQ(b.lexicon.max_entry_words(), 0u);
}

// The real Debian data: properties that hold of WordNet 3.0 and MyThes, not
// hand-picked entries.
constexpr char kWordNetDir[] = "/usr/share/wordnet";
constexpr char kMythesPath[] = "/usr/share/mythes/th_en_US_v2.dat";

class LexiconRealDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(std::string(kWordNetDir) + "/data.noun") ||
        !std::filesystem::exists(kMythesPath)) {
      return;
    }
    built_ = new Built;
    auto start = std::chrono::steady_clock::now();
    Status status = built_->Build(kWordNetDir, kMythesPath, "real.lex");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(status.ok()) << status.ToString();
    LexiconStats stats = built_->lexicon.stats();
    uint64_t section_bytes = 0;
    for (const SectionInfo& info : built_->file->sections()) section_bytes += info.size;
    std::printf(
        "real lexicon: %llu entries, %llu multi-word, %llu edges, %llu morphology forms, "
        "%llu section bytes, vocabulary %zu words, built in %.2f s\n",
        static_cast<unsigned long long>(stats.entries),
        static_cast<unsigned long long>(stats.multiword_entries),
        static_cast<unsigned long long>(stats.edges),
        static_cast<unsigned long long>(stats.morphology_forms),
        static_cast<unsigned long long>(section_bytes), built_->vocab.size(), seconds);
  }
  static void TearDownTestSuite() {
    delete built_;
    built_ = nullptr;
  }
  void SetUp() override {
    if (built_ == nullptr) GTEST_SKIP() << "WordNet or MyThes not installed";
  }
  static Built* built_;
};
Built* LexiconRealDataTest::built_ = nullptr;

TEST_F(LexiconRealDataTest, SizesAreThoseOfTheThesauri) {
  LexiconStats stats = built_->lexicon.stats();
  EXPECT_GT(stats.entries, 140000u);  // WordNet 3.0 alone has 147,306 lemmas
  EXPECT_GT(stats.multiword_entries, 50000u);
  EXPECT_GT(stats.edges, 1000000u);
  EXPECT_GT(stats.morphology_forms, 60000u);
  ExpectSymmetric(built_->lexicon);
}

TEST_F(LexiconRealDataTest, SpinnerSubstitutionsAreReachable) {
  const Built& b = *built_;
  using enum PartOfSpeech;
  using enum Inflection;
  EXPECT_TRUE(b.HasReading("decreased", "decrease", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("declined", "decline", kVerb, kPast));
  EXPECT_EQ(b.Inflect("decline", kVerb, kPast), "declined");
  EXPECT_GE(b.Distance("decrease", "decline", 2), 1);
  EXPECT_TRUE(b.HasReading("yards", "yard", kNoun, kPlural));
  EXPECT_TRUE(b.HasReading("backyards", "backyard", kNoun, kPlural));
  EXPECT_GE(b.Distance("backyard", "yard", 2), 1);
  EXPECT_TRUE(b.HasReading("sanctioned", "sanction", kVerb, kPast));
  EXPECT_GE(b.Distance("sanction", "approve", 2), 1);
  EXPECT_GE(b.Distance("counterpart", "equivalent", 2), 1);
  EXPECT_TRUE(b.HasReading("failed", "fail", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("stopped", "stop", kVerb, kPast));
  // "stop working" is in neither thesaurus today; if a future release adds it,
  // it must connect to "fail".
  if (b.Entry("stop working")) {
    EXPECT_GE(b.Distance("stop working", "fail", 2), 1);
  }
  EXPECT_GE(b.Distance("fail", "break down", 2), 1);
}

TEST_F(LexiconRealDataTest, PhrasesInflectThroughTheirHead) {
  const Built& b = *built_;
  auto inflect = [&b](std::vector<std::string_view> words, PartOfSpeech pos,
                      Inflection inflection) {
    std::vector<WordId> ids;
    for (std::string_view word : words) ids.push_back(*b.vocab.Find(word));
    if (!b.lexicon.InflectPhrase(&ids, pos, inflection)) return std::string("<none>");
    std::string text;
    for (WordId id : ids) {
      if (!text.empty()) text += ' ';
      text += b.vocab.Word(id);
    }
    return text;
  };
  EXPECT_EQ(inflect({"break", "down"}, PartOfSpeech::kVerb, Inflection::kPast), "broke down");
  EXPECT_EQ(inflect({"press", "reporter"}, PartOfSpeech::kNoun, Inflection::kPlural),
            "press reporters");
  EXPECT_EQ(inflect({"give", "up"}, PartOfSpeech::kVerb, Inflection::kBase), "give up");
  EXPECT_EQ(inflect({"yard"}, PartOfSpeech::kNoun, Inflection::kComparative), "<none>");
}

TEST_F(LexiconRealDataTest, MorphologyIsConsistent) {
  const Built& b = *built_;
  using enum PartOfSpeech;
  using enum Inflection;
  EXPECT_EQ(b.Inflect("go", kVerb, kPast), "went");
  EXPECT_EQ(b.Inflect("study", kVerb, kPast), "studied");
  EXPECT_EQ(b.Inflect("study", kVerb, kPresentParticiple), "studying");
  EXPECT_EQ(b.Inflect("big", kAdjective, kComparative), "bigger");
  EXPECT_EQ(b.Inflect("child", kNoun, kPlural), "children");
  EXPECT_EQ(b.Inflect("admit", kVerb, kPast), "admitted");
  EXPECT_EQ(b.Inflect("travel", kVerb, kPast), "traveled");
  EXPECT_TRUE(b.HasReading("travelled", "travel", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("was", "be", kVerb, kPast));
  EXPECT_TRUE(b.HasReading("are", "be", kVerb, kBase));
  ExpectRoundTrips(b);
}

}  // namespace
}  // namespace unspin::lexicon
