// Tests of the model file: the default model (a build product) opens and its
// vocabulary, lexicon, frequencies and language model agree on word ids; the
// build is deterministic; damaged copies (a missing section, another version,
// a short frequency section) give the right Status.
#include "unspin/model/model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "unspin/lm/kneser_ney.h"
#include "unspin/lm/lm_file.h"

namespace unspin::model {
namespace {

namespace fs = std::filesystem;

const std::string kDefaultModel = UNSPIN_DEFAULT_MODEL;

// A fresh directory for one test, on tmpfs when there is one (copies of the
// 100 MB model are written there).
class ModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir_ = base / ("unspin_model_test_" + std::to_string(::getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // The sections of the default model, in file order.
  static std::vector<std::pair<uint32_t, std::string>> DefaultSections() {
    std::vector<std::pair<uint32_t, std::string>> sections;
    Result<SectionFile> file = SectionFile::Open(kDefaultModel, kModelMagic, kModelVersion);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return sections;
    for (const SectionInfo& info : file->sections()) {
      sections.emplace_back(info.tag, std::string(*file->Section(info.tag)));
    }
    return sections;
  }

  fs::path dir_;
};

std::vector<WordId> Ids(const Vocabulary& vocabulary, std::initializer_list<const char*> words) {
  std::vector<WordId> ids;
  for (const char* word : words) ids.push_back(vocabulary.Find(word).value_or(kUnknownWord));
  return ids;
}

// log10 P(<s> words... </s>), checking every step is a finite probability
// (and, for words the LM knows, not a floor value).
float SentenceLog10Prob(const lm::MixedModel& lm, const std::vector<WordId>& words) {
  lm::LmState state = lm.BeginSentence();
  float total = 0;
  for (WordId word : words) {
    float log10_prob = lm.Score(state, word, &state);
    EXPECT_TRUE(std::isfinite(log10_prob));
    EXPECT_LE(log10_prob, 0.0f);
    if (word != kUnknownWord) {
      EXPECT_GT(log10_prob, -15.0f);
    }
    total += log10_prob;
  }
  float end = lm.EndSentenceScore(state);
  EXPECT_TRUE(std::isfinite(end));
  return total + end;
}

TEST(DefaultModelTest, OpensAndComponentsAgree) {
  Result<std::unique_ptr<Model>> opened = Model::Open(kDefaultModel);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const Model& model = **opened;
  const Vocabulary& vocabulary = model.vocabulary();
  ASSERT_GT(vocabulary.size(), 100000u);
  EXPECT_EQ(vocabulary.Word(kUnknownWord), "<unk>");
  EXPECT_EQ(vocabulary.Word(kSentenceBegin), "<s>");
  EXPECT_EQ(vocabulary.Word(kSentenceEnd), "</s>");
  EXPECT_LE(model.lexicon().word_id_limit(), vocabulary.size());
  EXPECT_EQ(model.language_model().order(), 3);

  // FREQ holds each word's LM unigram probability, floored at -9: words the LM
  // does not know score as <unk> (whose probability is below the floor) and a
  // few LM words are rarer than -9 themselves.
  const lm::MixedModel& lm = model.language_model();
  ASSERT_LE(lm.UnigramLog10Prob(kUnknownWord), -9.0f);
  uint64_t known = 0;
  for (uint32_t id = 3; id < vocabulary.size(); ++id) {
    const WordId word{id};
    const float frequency = model.Log10Frequency(word);
    const float unigram = lm.UnigramLog10Prob(word);
    if (unigram > -9.0f && unigram < 0.0f) {
      ++known;
      ASSERT_EQ(frequency, unigram) << vocabulary.Word(word);
    } else {
      ASSERT_EQ(frequency, -9.0f) << vocabulary.Word(word);
    }
    ASSERT_EQ(vocabulary.Find(vocabulary.Word(word)), word);
  }
  // Nearly every LM unigram is above the floor (en-us: 70,951 of 72,548).
  EXPECT_LE(known + 3, lm.first().NgramCount(1));
  EXPECT_GE(known, lm.first().NgramCount(1) * 95 / 100);
  EXPECT_EQ(model.Log10Frequency(WordId{static_cast<uint32_t>(vocabulary.size())}), -9.0f);
}

TEST(DefaultModelTest, SaidIsInTheVocabularyLexiconAndLm) {
  Result<std::unique_ptr<Model>> opened = Model::Open(kDefaultModel);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const Model& model = **opened;
  std::optional<WordId> said = model.vocabulary().Find("said");
  std::optional<WordId> say = model.vocabulary().Find("say");
  ASSERT_TRUE(said.has_value());
  ASSERT_TRUE(say.has_value());
  EXPECT_GT(model.Log10Frequency(*said), -4.0f);

  std::vector<lexicon::LemmaReading> readings;
  model.lexicon().Lemmatize(*said, &readings);
  ASSERT_FALSE(readings.empty());
  const lexicon::LemmaReading past{*say, lexicon::PartOfSpeech::kVerb, lexicon::Inflection::kPast};
  EXPECT_NE(std::find(readings.begin(), readings.end(), past), readings.end());
  EXPECT_EQ(model.lexicon().Inflect(*say, lexicon::PartOfSpeech::kVerb, lexicon::Inflection::kPast),
            said);
  std::optional<lexicon::EntryId> entry = model.lexicon().FindEntry(std::span(&*say, 1));
  ASSERT_TRUE(entry.has_value());
  EXPECT_FALSE(model.lexicon().Neighbors(*entry).empty());
  for (const lexicon::Edge& edge : model.lexicon().Neighbors(*entry)) {
    for (WordId word : model.lexicon().EntryWords(edge.target)) {
      ASSERT_LT(ToIndex(word), model.vocabulary().size());
    }
  }
}

TEST(DefaultModelTest, LmScoresSentencesFinitely) {
  Result<std::unique_ptr<Model>> opened = Model::Open(kDefaultModel);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const Model& model = **opened;
  const std::vector<WordId> natural = Ids(
      model.vocabulary(), {"the", "president", "said", "that", "the", "economy", "is", "growing"});
  for (WordId word : natural) ASSERT_NE(word, kUnknownWord);
  const std::vector<WordId> scrambled = Ids(
      model.vocabulary(), {"growing", "the", "is", "said", "economy", "that", "president", "the"});
  const std::vector<WordId> unknown = Ids(model.vocabulary(), {"the", "qqxyzzyq", "said"});
  const float natural_log10_prob = SentenceLog10Prob(model.language_model(), natural);
  const float scrambled_log10_prob = SentenceLog10Prob(model.language_model(), scrambled);
  EXPECT_TRUE(std::isfinite(SentenceLog10Prob(model.language_model(), unknown)));
  EXPECT_GT(natural_log10_prob, -40.0f);
  EXPECT_GT(natural_log10_prob, scrambled_log10_prob + 5.0f);
}

// Building from Debian's files reproduces the default model byte for byte (one
// build, ~10 s: the default model was written by the same code from the same
// files, so this also shows two builds agree).
TEST_F(ModelFileTest, BuildIsDeterministic) {
  const BuildOptions options;
  for (const std::string& source :
       {options.sphinx_lm_path, options.wordnet_dir + "/data.noun", options.mythes_path}) {
    if (!fs::exists(source)) GTEST_SKIP() << source << " is not installed (scripts/setup)";
  }
  const std::string path = Path("built.unspin");
  BuildReport report;
  Status status = BuildModel(options, path, &report);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(report.file_bytes, fs::file_size(path));
  EXPECT_EQ(report.ngram_counts.size(), 3u);
  ASSERT_EQ(fs::file_size(path), fs::file_size(kDefaultModel));
  std::ifstream built(path, std::ios::binary);
  std::ifstream reference(kDefaultModel, std::ios::binary);
  ASSERT_TRUE(std::equal(std::istreambuf_iterator<char>(built), {},
                         std::istreambuf_iterator<char>(reference), {}))
      << path << " differs from " << kDefaultModel;
}

// `--lm`: a trained language model takes the sphinx model's place. Its words
// are interned into the model's vocabulary (with the lexicon's words), and
// the model scores every sentence exactly as the trained file does.
// A trigram model of a few sentences, written by `unspin lm build`'s code
// path to `path`; "zorblax" is in it but in no thesaurus.
void WriteTinyLm(const std::string& path) {
  const std::vector<std::vector<std::string>> corpus = {
      {"the", "harbor", "was", "quiet", "."},
      {"the", "ship", "left", "the", "harbor", "at", "dawn", "."},
      {"a", "quiet", "zorblax", "left", "."},  // "zorblax": in the LM, not the lexicon
      {"the", "crew", "was", "tired", "and", "the", "ship", "was", "late", "."}};
  VocabularyBuilder lm_words;
  Result<lm::NgramCounter> counter = lm::NgramCounter::Create(3);
  ASSERT_TRUE(counter.ok());
  for (const auto& sentence : corpus) {
    std::vector<WordId> ids;
    for (const std::string& word : sentence) ids.push_back(lm_words.Intern(word));
    ASSERT_TRUE(counter->AddSentence(ids).ok());
  }
  Result<lm::WindowCounts> finished = std::move(*counter).Finish();
  ASSERT_TRUE(finished.ok());
  lm::WindowCounts counts = std::move(*finished);
  Result<lm::BackoffLm> trained = lm::EstimateKneserNey(counts, lm_words.size());
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  lm::NgramModelBuilder builder(3);
  trained->AddTo(&builder);
  ASSERT_TRUE(lm::WriteLmFile(path, lm_words, builder).ok());
}

TEST_F(ModelFileTest, TrainedLmReplacesTheDefaultAndScoresTheSame) {
  BuildOptions options;
  for (const std::string& source : {options.wordnet_dir + "/data.noun", options.mythes_path}) {
    if (!fs::exists(source)) GTEST_SKIP() << source << " is not installed (scripts/setup)";
  }
  options.lm_path = Path("tiny.lm");
  ASSERT_NO_FATAL_FAILURE(WriteTinyLm(options.lm_path));

  const std::string path = Path("tiny.unspin");
  BuildReport report;
  Status status = BuildModel(options, path, &report);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(report.ngram_counts.size(), 3u);
  Result<std::unique_ptr<Model>> model = Model::Open(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<std::unique_ptr<lm::LmFile>> lm_file = lm::LmFile::Open(options.lm_path);
  ASSERT_TRUE(lm_file.ok()) << lm_file.status().ToString();
  const Vocabulary& vocabulary = (*model)->vocabulary();
  EXPECT_GT(vocabulary.size(), 100000u);  // the lexicon's words joined the LM's
  ASSERT_TRUE(vocabulary.Find("zorblax").has_value());
  ASSERT_TRUE(vocabulary.Find("harbor").has_value());
  EXPECT_EQ((*model)->language_model().order(), 3);

  const std::vector<std::vector<std::string>> sentences = {
      {"the", "ship", "was", "quiet", "."},
      {"a", "zorblax", "left", "the", "harbor", "at", "dawn", "."},
      {"the", "crew", "left", "the", "ship", "."},
      {"dawn", "was", "tired", "zebra", "harbor", "."}};  // "zebra": lexicon only, <unk> here
  for (const auto& sentence : sentences) {
    const lm::MixedModel& ours = (*model)->language_model();
    const lm::NgramModel& theirs = (*lm_file)->model();
    lm::LmState our_state = ours.BeginSentence(), their_state = theirs.BeginSentence();
    for (const std::string& word : sentence) {
      WordId our_id = vocabulary.Find(word).value_or(kUnknownWord);
      WordId their_id = (*lm_file)->vocabulary().Find(word).value_or(kUnknownWord);
      EXPECT_EQ(ours.Score(our_state, our_id, &our_state),
                theirs.Score(their_state, their_id, &their_state))
          << word;
      EXPECT_EQ(our_state.length, their_state.length) << word;
    }
    EXPECT_EQ(ours.EndSentenceScore(our_state), theirs.EndSentenceScore(their_state));
  }
  // Frequencies are the LM's unigrams.
  EXPECT_FLOAT_EQ((*model)->Log10Frequency(*vocabulary.Find("the")),
                  (*lm_file)->model().UnigramLog10Prob(*(*lm_file)->vocabulary().Find("the")));

  // A file that is not a language model is refused.
  options.lm_path = kDefaultModel;
  EXPECT_EQ(BuildModel(options, Path("bad.unspin"), nullptr).code(), StatusCode::kCorruption);
}

// A trained model mixed with the sphinx model: every score is the weighted
// sum of the two models' probabilities, each read through its own file.
TEST_F(ModelFileTest, TrainedLmMixesWithTheSphinxModel) {
  BuildOptions options;
  for (const std::string& source :
       {options.wordnet_dir + "/data.noun", options.mythes_path, options.sphinx_lm_path}) {
    if (!fs::exists(source)) GTEST_SKIP() << source << " is not installed (scripts/setup)";
  }
  options.lm_path = Path("tiny.lm");
  ASSERT_NO_FATAL_FAILURE(WriteTinyLm(options.lm_path));
  options.lm_weight = 0.6;
  const std::string path = Path("mixed.unspin");
  Status status = BuildModel(options, path, nullptr);
  ASSERT_TRUE(status.ok()) << status.ToString();
  Result<std::unique_ptr<Model>> model = Model::Open(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<std::unique_ptr<Model>> general = Model::Open(kDefaultModel);
  ASSERT_TRUE(general.ok()) << general.status().ToString();
  Result<std::unique_ptr<lm::LmFile>> tiny = lm::LmFile::Open(options.lm_path);
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();

  const lm::MixedModel& ours = (*model)->language_model();
  ASSERT_TRUE(ours.mixed());
  EXPECT_EQ(ours.first_weight(), 0.6);
  EXPECT_EQ((*model)->Info().second_lm_order, 3);
  const lm::MixedModel& sphinx = (*general)->language_model();
  const lm::NgramModel& trained = (*tiny)->model();
  auto mix = [](float a, float b) {
    return std::log10(0.6 * std::pow(10.0, a) + 0.4 * std::pow(10.0, b));
  };
  // Words of both models, of one ("zorblax", "submarine"), of neither.
  const std::vector<std::string> sentence = {"the",       "ship", "left", "a",     "zorblax",
                                             "submarine", "at",   "dawn", "qwzxv", "."};
  lm::LmState state = ours.BeginSentence();
  lm::LmState sphinx_state = sphinx.BeginSentence();
  lm::LmState trained_state = trained.BeginSentence();
  for (const std::string& word : sentence) {
    const WordId id = (*model)->vocabulary().Find(word).value_or(kUnknownWord);
    const double want =
        mix(trained.Score(trained_state, (*tiny)->vocabulary().Find(word).value_or(kUnknownWord),
                          &trained_state),
            sphinx.Score(sphinx_state, (*general)->vocabulary().Find(word).value_or(kUnknownWord),
                         &sphinx_state));
    EXPECT_NEAR(ours.Score(state, id, &state), want, 1e-4) << word;
  }
  EXPECT_NEAR(ours.EndSentenceScore(state),
              mix(trained.EndSentenceScore(trained_state), sphinx.EndSentenceScore(sphinx_state)),
              1e-4);
  // The mixture's unigrams are the frequencies: "submarine" is known now.
  EXPECT_GT((*model)->Log10Frequency(*(*model)->vocabulary().Find("submarine")),
            Model::kUnknownLog10Frequency);

  // A weight needs a trained model to mix, and must be in (0, 1].
  BuildOptions no_lm;
  no_lm.lm_weight = 0.5;
  EXPECT_EQ(BuildModel(no_lm, Path("bad.unspin"), nullptr).code(), StatusCode::kInvalidArgument);
  for (double weight : {0.0, -0.5, 1.5}) {
    options.lm_weight = weight;
    EXPECT_EQ(BuildModel(options, Path("bad.unspin"), nullptr).code(), StatusCode::kInvalidArgument)
        << weight;
  }
}

TEST_F(ModelFileTest, MissingSectionIsCorruptionNamingIt) {
  const std::vector<std::pair<uint32_t, std::string>> sections = DefaultSections();
  ASSERT_EQ(sections.size(), 7u);
  for (size_t omit = 0; omit < sections.size(); ++omit) {
    const std::string name = SectionTagName(sections[omit].first);
    SectionFileWriter writer(kModelMagic, kModelVersion);
    for (size_t i = 0; i < sections.size(); ++i) {
      if (i != omit) writer.Add(sections[i].first, sections[i].second);
    }
    const std::string path = Path("without_" + name + ".unspin");
    ASSERT_TRUE(writer.Write(path).ok());
    Result<std::unique_ptr<Model>> model = Model::Open(path);
    ASSERT_FALSE(model.ok()) << "opened without " << name;
    EXPECT_EQ(model.status().code(), StatusCode::kCorruption) << model.status().ToString();
    EXPECT_NE(model.status().message().find(name), std::string::npos) << model.status().ToString();
    fs::remove(path);
  }
}

// A second language model needs its mixture weight, and the weight must be
// a share: anything else is a corrupt file, not a model that scores wrongly.
TEST_F(ModelFileTest, BadMixtureIsCorruption) {
  std::vector<std::pair<uint32_t, std::string>> sections = DefaultSections();
  std::string general_lm;
  for (const auto& [tag, bytes] : sections) {
    if (tag == SectionTag("LMNG")) general_lm = bytes;
  }
  ASSERT_FALSE(general_lm.empty());
  auto mixture = [](double weight, size_t size) {
    std::string bytes(16, '\0');
    std::memcpy(bytes.data(), &weight, sizeof weight);
    bytes.resize(size);
    return bytes;
  };
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"no weight", std::nullopt},    {"weight 0", mixture(0.0, 16)},
      {"weight 1", mixture(1.0, 16)}, {"weight NaN", mixture(std::nan(""), 16)},
      {"short", mixture(0.5, 8)},     {"long", mixture(0.5, 24)}};
  for (const auto& [what, weight] : cases) {
    SectionFileWriter writer(kModelMagic, kModelVersion);
    for (const auto& [tag, bytes] : sections) writer.Add(tag, bytes);
    writer.Add(SectionTag("LMN2"), general_lm);
    if (weight) writer.Add(SectionTag("LMMX"), *weight);
    const std::string path = Path("mixture.unspin");
    ASSERT_TRUE(writer.Write(path).ok());
    Result<std::unique_ptr<Model>> model = Model::Open(path);
    ASSERT_FALSE(model.ok()) << what;
    EXPECT_EQ(model.status().code(), StatusCode::kCorruption)
        << what << ": " << model.status().ToString();
  }
  // The same sections with a good weight open as a mixture.
  SectionFileWriter writer(kModelMagic, kModelVersion);
  for (const auto& [tag, bytes] : sections) writer.Add(tag, bytes);
  writer.Add(SectionTag("LMN2"), general_lm);
  writer.Add(SectionTag("LMMX"), mixture(0.25, 16));
  ASSERT_TRUE(writer.Write(Path("good.unspin")).ok());
  Result<std::unique_ptr<Model>> model = Model::Open(Path("good.unspin"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_TRUE((*model)->language_model().mixed());
  EXPECT_EQ((*model)->language_model().first_weight(), 0.25);
}

// Detector weights are written beside an exact copy of every other section,
// read back as written, and refused when malformed.
TEST_F(ModelFileTest, DetectorWeightsRoundTripAndBadOnesAreCorruption) {
  Result<std::unique_ptr<Model>> model = Model::Open(kDefaultModel);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_TRUE((*model)->detector_weights().empty());
  EXPECT_FALSE((*model)->Info().calibrated);
  const std::vector<double> weights = {0.5, 1.0, -2.0, 3.25, -0.125, 4.0, -5.5};
  ASSERT_EQ(weights.size(), kDetectorWeightCount);
  const std::string path = Path("calibrated.unspin");
  ASSERT_TRUE((*model)->WriteWithDetectorWeights(weights, path).ok());
  Result<std::unique_ptr<Model>> calibrated = Model::Open(path);
  ASSERT_TRUE(calibrated.ok()) << calibrated.status().ToString();
  const std::span<const double> read = (*calibrated)->detector_weights();
  EXPECT_EQ(std::vector<double>(read.begin(), read.end()), weights);
  EXPECT_TRUE((*calibrated)->Info().calibrated);
  Result<SectionFile> before = SectionFile::Open(kDefaultModel, kModelMagic, kModelVersion);
  Result<SectionFile> after = SectionFile::Open(path, kModelMagic, kModelVersion);
  ASSERT_TRUE(before.ok() && after.ok());
  for (const SectionInfo& info : before->sections()) {
    EXPECT_EQ(*after->Section(info.tag), *before->Section(info.tag)) << SectionTagName(info.tag);
  }
  // Calibrating again replaces the weights; it does not add a second section.
  const std::vector<double> again(kDetectorWeightCount, 1.0);
  ASSERT_TRUE((*calibrated)->WriteWithDetectorWeights(again, Path("again.unspin")).ok());
  Result<SectionFile> twice = SectionFile::Open(Path("again.unspin"), kModelMagic, kModelVersion);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->sections().size(), after->sections().size());
  // A model calibrated over its own file: the new file replaces it whole.
  ASSERT_TRUE((*calibrated)->WriteWithDetectorWeights(again, path).ok());
  Result<std::unique_ptr<Model>> in_place = Model::Open(path);
  ASSERT_TRUE(in_place.ok()) << in_place.status().ToString();
  const std::span<const double> replaced = (*in_place)->detector_weights();
  EXPECT_EQ(std::vector<double>(replaced.begin(), replaced.end()), again);
  EXPECT_EQ(*SectionFile::Open(path, kModelMagic, kModelVersion)->Section(SectionTag("LMNG")),
            *before->Section(SectionTag("LMNG")));

  auto section = [](uint32_t version, uint32_t count, std::vector<double> values) {
    std::string bytes(8, '\0');
    std::memcpy(bytes.data(), &version, 4);
    std::memcpy(bytes.data() + 4, &count, 4);
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
    return bytes;
  };
  const std::vector<double> seven(kDetectorWeightCount, 0.5);
  std::vector<double> with_nan = seven;
  with_nan[3] = std::nan("");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"other version", section(3, 7, seven)},
      {"too few", section(2, 6, std::vector<double>(6, 0.5))},
      {"count beyond the bytes", section(2, 7, std::vector<double>(6, 0.5))},
      {"trailing bytes", section(2, 7, std::vector<double>(8, 0.5))},
      {"not a number", section(2, 7, with_nan)},
      {"truncated header", std::string(4, '\0')}};
  const std::vector<std::pair<uint32_t, std::string>> sections = DefaultSections();
  // A version 1 section holds the weights of the verdict before the
  // contrastive one: ignored, the defaults serve.
  {
    SectionFileWriter writer(kModelMagic, kModelVersion);
    for (const auto& [tag, contents] : sections) writer.Add(tag, contents);
    writer.Add(SectionTag("DTCT"), section(1, 7, seven));
    ASSERT_TRUE(writer.Write(Path("retired.unspin")).ok());
    Result<std::unique_ptr<Model>> retired = Model::Open(Path("retired.unspin"));
    ASSERT_TRUE(retired.ok()) << retired.status().ToString();
    EXPECT_TRUE((*retired)->detector_weights().empty());
  }
  for (const auto& [what, bytes] : cases) {
    SectionFileWriter writer(kModelMagic, kModelVersion);
    for (const auto& [tag, contents] : sections) writer.Add(tag, contents);
    writer.Add(SectionTag("DTCT"), bytes);
    ASSERT_TRUE(writer.Write(Path("bad.unspin")).ok());
    Result<std::unique_ptr<Model>> bad = Model::Open(Path("bad.unspin"));
    ASSERT_FALSE(bad.ok()) << what;
    EXPECT_EQ(bad.status().code(), StatusCode::kCorruption)
        << what << ": " << bad.status().ToString();
  }
}

TEST_F(ModelFileTest, OtherVersionIsVersionMismatch) {
  SectionFileWriter writer(kModelMagic, kModelVersion + 1);
  writer.Add(SectionTag("META"), "{}");
  const std::string path = Path("next.unspin");
  ASSERT_TRUE(writer.Write(path).ok());
  Result<std::unique_ptr<Model>> model = Model::Open(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kVersionMismatch) << model.status().ToString();
  EXPECT_NE(model.status().message().find("rebuild"), std::string::npos);
}

TEST_F(ModelFileTest, ShortFrequencySectionIsCorruption) {
  const std::vector<std::pair<uint32_t, std::string>> sections = DefaultSections();
  SectionFileWriter writer(kModelMagic, kModelVersion);
  for (const auto& [tag, bytes] : sections) {
    writer.Add(tag,
               tag == SectionTag("FREQ") ? bytes.substr(0, bytes.size() - sizeof(float)) : bytes);
  }
  const std::string path = Path("short_freq.unspin");
  ASSERT_TRUE(writer.Write(path).ok());
  Result<std::unique_ptr<Model>> model = Model::Open(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kCorruption) << model.status().ToString();
  EXPECT_NE(model.status().message().find("frequency"), std::string::npos)
      << model.status().ToString();
}

TEST(ModelOpenTest, MissingFileIsNotFound) {
  Result<std::unique_ptr<Model>> model = Model::Open("/nonexistent/model.unspin");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace unspin::model
