// Invariants: the FREQ section has exactly one float per vocabulary word; the
// vocabulary, lexicon and LM were written by one build and share word ids.
#include "unspin/model/model.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "unspin/base/file.h"
#include "unspin/base/json_depth.h"
#include "unspin/lm/lm_file.h"
#include "unspin/lm/sphinx_reader.h"

namespace unspin::model {
namespace {

constexpr uint32_t kVocabularyTag = SectionTag("VOCB");
constexpr uint32_t kFrequencyTag = SectionTag("FREQ");
constexpr uint32_t kMetadataTag = SectionTag("META");
constexpr uint32_t kLanguageModelTag = SectionTag("LMNG");
constexpr uint32_t kSecondLanguageModelTag = SectionTag("LMN2");
constexpr uint32_t kMixtureTag = SectionTag("LMMX");

// Section LMMX: the first language model's share of the mixture.
struct MixtureRecord {
  double first_weight;
  uint64_t reserved;
};
static_assert(sizeof(MixtureRecord) == 16);
constexpr uint32_t kDetectorTag = SectionTag("DTCT");
// Section DTCT: a header, then `count` f64 weights.
struct DetectorHeader {
  uint32_t format_version;
  uint32_t count;
};
static_assert(sizeof(DetectorHeader) == 8);
// Version 2: the weights of the contrastive verdict (gain counts). A version 1
// section (the verdict before it) is ignored: its weights mean other inputs,
// and the defaults serve until the model is calibrated again.
constexpr uint32_t kDetectorFormatVersion = 2;
constexpr uint32_t kRetiredDetectorFormatVersion = 1;
constexpr float kFunctionWordLog10Frequency = -2.3f;

Status RequireFile(const std::string& path, std::string_view what, nlohmann::json* sources) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return NotFoundError(std::string(what) + " not found at " + path +
                         "; run scripts/setup to install it");
  }
  (*sources)[std::string(what)] = {{"path", path}, {"bytes", static_cast<uint64_t>(info.st_size)}};
  return Status::Ok();
}

}  // namespace

Result<channel::ChannelTableBuilder> ReadChannelTable(const std::string& path) {
  UNSPIN_ASSIGN_OR_RETURN(std::string tsv, ReadRegularFile(path));
  channel::ChannelTableBuilder table;
  UNSPIN_RETURN_IF_ERROR(table.ReadTsv(tsv, path));
  return table;
}

Status BuildModel(const BuildOptions& options, const std::string& out_path, BuildReport* report) {
  nlohmann::json sources;
  const bool trained_lm = !options.lm_path.empty();
  if (!(options.lm_weight > 0.0 && options.lm_weight <= 1.0)) {
    return InvalidArgumentError("the language model's weight must be in (0, 1], not " +
                                std::to_string(options.lm_weight));
  }
  const bool mixed = options.lm_weight < 1.0;
  if (mixed && !trained_lm) {
    return InvalidArgumentError(
        "a language model weight below 1 mixes a trained model (--lm) "
        "with the sphinx model; give --lm");
  }
  UNSPIN_RETURN_IF_ERROR(RequireFile(trained_lm ? options.lm_path : options.sphinx_lm_path,
                                     "language model", &sources));
  UNSPIN_RETURN_IF_ERROR(RequireFile(options.wordnet_dir + "/data.noun", "wordnet", &sources));
  UNSPIN_RETURN_IF_ERROR(RequireFile(options.mythes_path, "mythes", &sources));

  VocabularyBuilder vocabulary;
  std::string lm_section;
  if (trained_lm) {
    // The LM's words first, in its id order: then its ids are the model's and
    // its section needs no remapping.
    Result<std::unique_ptr<lm::LmFile>> lm_file = lm::LmFile::Open(options.lm_path);
    if (!lm_file.ok()) return lm_file.status();
    const Vocabulary& lm_words = (*lm_file)->vocabulary();
    for (uint32_t id = 0; id < lm_words.size(); ++id) {
      std::string_view word = lm_words.Word(WordId{id});
      if (vocabulary.Intern(word) != WordId{id}) {
        return CorruptionError(options.lm_path + ": word " + std::to_string(id) + " \"" +
                               std::string(word) +
                               "\" repeats an earlier word; rebuild the language model");
      }
    }
    lm_section = std::string((*lm_file)->model_section());
  }
  // The sphinx model is the language model, or the second of a mixture; its
  // words join the vocabulary after a trained model's, so both share word ids.
  std::string second_lm_section;
  if (!trained_lm || mixed) {
    if (mixed) {
      UNSPIN_RETURN_IF_ERROR(
          RequireFile(options.sphinx_lm_path, "second language model", &sources));
    }
    UNSPIN_ASSIGN_OR_RETURN(lm::NgramModelBuilder sphinx,
                            lm::ReadSphinxTrieLm(options.sphinx_lm_path, &vocabulary));
    (mixed ? second_lm_section : lm_section) = sphinx.Serialize();
  }
  lexicon::LexiconBuilder lexicon(&vocabulary);
  UNSPIN_RETURN_IF_ERROR(lexicon.AddWordNet(options.wordnet_dir));
  UNSPIN_RETURN_IF_ERROR(lexicon.AddMythes(options.mythes_path));
  lexicon.AddClosedClassSynonyms();

  // The channel's words join the vocabulary before frequencies are laid out.
  std::string channel_section;
  if (!options.channel_path.empty()) {
    UNSPIN_RETURN_IF_ERROR(RequireFile(options.channel_path, "channel", &sources));
    UNSPIN_ASSIGN_OR_RETURN(channel::ChannelTableBuilder channel_table,
                            ReadChannelTable(options.channel_path));
    channel_section = channel_table.Serialize(&vocabulary);
  }

  // Frequencies come from the LM's unigrams, so read them back through the
  // query API rather than a second parser of the section.
  UNSPIN_ASSIGN_OR_RETURN(lm::NgramModel first_view, lm::NgramModel::Open(lm_section));
  lm::MixedModel lm_view(first_view);
  if (mixed) {
    UNSPIN_ASSIGN_OR_RETURN(lm::NgramModel second_view, lm::NgramModel::Open(second_lm_section));
    lm_view = lm::MixedModel(first_view, second_view, options.lm_weight);
  }
  std::vector<float> frequencies(vocabulary.size(), Model::kUnknownLog10Frequency);
  for (uint32_t id = 0; id < vocabulary.size(); ++id) {
    float log10_prob = lm_view.UnigramLog10Prob(WordId{id});
    if (id != ToIndex(kUnknownWord) && log10_prob > Model::kUnknownLog10Frequency &&
        log10_prob < 0.0f) {
      frequencies[id] = log10_prob;
    }
  }
  std::vector<uint64_t> ngram_counts;
  for (int n = 1; n <= first_view.order(); ++n) ngram_counts.push_back(first_view.NgramCount(n));

  SectionFileWriter writer(kModelMagic, kModelVersion);
  nlohmann::json metadata = {
      {"format", "unspin model"}, {"version", kModelVersion}, {"sources", sources}};
  writer.Add(kMetadataTag, metadata.dump());
  writer.Add(kVocabularyTag, vocabulary.Serialize());
  ByteSink frequency_bytes;
  frequency_bytes.PutArray(std::span<const float>(frequencies));
  writer.Add(kFrequencyTag, frequency_bytes.Take());
  lexicon.Serialize(&writer);
  writer.Add(kLanguageModelTag, std::move(lm_section));
  if (mixed) {
    writer.Add(kSecondLanguageModelTag, std::move(second_lm_section));
    const MixtureRecord mixture{options.lm_weight, 0};
    writer.Add(kMixtureTag, std::string(reinterpret_cast<const char*>(&mixture), sizeof mixture));
  }
  uint64_t channel_phrases = 0, channel_entries = 0;
  if (!channel_section.empty()) {
    UNSPIN_ASSIGN_OR_RETURN(channel::ChannelTable view,
                            channel::ChannelTable::OpenSection(channel_section));
    channel_phrases = view.phrase_count();
    channel_entries = view.entry_count();
    writer.Add(channel::kChannelTag, std::move(channel_section));
  }
  UNSPIN_RETURN_IF_ERROR(writer.Write(out_path));

  if (report != nullptr) {
    report->lexicon = lexicon.stats();
    report->ngram_counts = std::move(ngram_counts);
    report->vocabulary_words = vocabulary.size();
    report->channel_phrases = channel_phrases;
    report->channel_entries = channel_entries;
    struct stat info {};
    if (::stat(out_path.c_str(), &info) == 0)
      report->file_bytes = static_cast<uint64_t>(info.st_size);
  }
  return Status::Ok();
}

Result<std::unique_ptr<Model>> Model::Open(const std::string& path) {
  std::unique_ptr<Model> model(new Model());
  UNSPIN_ASSIGN_OR_RETURN(model->file_, SectionFile::Open(path, kModelMagic, kModelVersion));
  const SectionFile& file = model->file_;
  auto context = [&path](const Status& status) {
    return status.code() == StatusCode::kNotFound
               ? CorruptionError(path + ": " + status.message() + "; rebuild the model")
               : status.WithContext(path);
  };
  Result<std::string_view> vocabulary = file.Section(kVocabularyTag);
  if (!vocabulary.ok()) return context(vocabulary.status());
  Result<Vocabulary> vocabulary_view = Vocabulary::Open(*vocabulary);
  if (!vocabulary_view.ok()) return context(vocabulary_view.status());
  model->vocabulary_ = *vocabulary_view;

  Result<std::string_view> frequencies = file.Section(kFrequencyTag);
  if (!frequencies.ok()) return context(frequencies.status());
  ByteSource frequency_source(*frequencies, path + ": frequency section");
  Status status = frequency_source.GetArray(model->vocabulary_.size(), &model->frequencies_);
  if (!status.ok()) return status;

  Result<std::string_view> metadata = file.Section(kMetadataTag);
  if (!metadata.ok()) return context(metadata.status());
  model->metadata_ = *metadata;

  Result<lexicon::Lexicon> lexicon = lexicon::Lexicon::Open(file);
  if (!lexicon.ok()) return context(lexicon.status());
  model->lexicon_ = *lexicon;
  if (model->lexicon_.word_id_limit() > model->vocabulary_.size()) {
    return CorruptionError(path + ": the lexicon uses word ids up to " +
                           std::to_string(model->lexicon_.word_id_limit()) +
                           " but the vocabulary has " + std::to_string(model->vocabulary_.size()) +
                           " words; rebuild the model");
  }

  Result<std::string_view> lm_section = file.Section(kLanguageModelTag);
  if (!lm_section.ok()) return context(lm_section.status());
  Result<lm::NgramModel> language_model = lm::NgramModel::Open(*lm_section);
  if (!language_model.ok()) return context(language_model.status());
  model->language_model_ = lm::MixedModel(*language_model);
  if (file.Section(kSecondLanguageModelTag).ok()) {
    Result<lm::NgramModel> second = lm::NgramModel::Open(*file.Section(kSecondLanguageModelTag));
    if (!second.ok()) return context(second.status());
    Result<std::string_view> mixture_section = file.Section(kMixtureTag);
    if (!mixture_section.ok()) return context(mixture_section.status());
    ByteSource mixture_source(*mixture_section, path + ": mixture section");
    MixtureRecord mixture;
    UNSPIN_RETURN_IF_ERROR(mixture_source.Get(&mixture));
    if (mixture_source.remaining() != 0 ||
        !(mixture.first_weight > 0.0 && mixture.first_weight < 1.0)) {
      return CorruptionError(path + ": bad language model mixture section; rebuild the model");
    }
    model->language_model_ = lm::MixedModel(*language_model, *second, mixture.first_weight);
  }

  if (Result<std::string_view> detector = file.Section(kDetectorTag); detector.ok()) {
    ByteSource source(*detector, path + ": detector section");
    DetectorHeader header;
    UNSPIN_RETURN_IF_ERROR(source.Get(&header));
    std::span<const double> weights;
    if (header.format_version == kRetiredDetectorFormatVersion) {
      // Left empty: the defaults.
    } else if (header.format_version != kDetectorFormatVersion ||
               header.count != kDetectorWeightCount ||
               !source.GetArray(header.count, &weights).ok() || source.remaining() != 0 ||
               !std::ranges::all_of(weights, [](double w) { return std::isfinite(w); })) {
      return CorruptionError(path + ": bad detector section; calibrate the model again");
    } else {
      model->detector_weights_ = weights;
    }
  }

  Result<channel::ChannelTable> channel = channel::ChannelTable::Open(file);
  if (channel.ok()) {
    model->channel_ = *channel;
  } else if (channel.status().code() != StatusCode::kNotFound) {
    return channel.status();  // names the file already
  }
  if (model->channel_.word_id_limit() > model->vocabulary_.size()) {
    return CorruptionError(path + ": the channel uses word ids up to " +
                           std::to_string(model->channel_.word_id_limit()) +
                           " but the vocabulary has " + std::to_string(model->vocabulary_.size()) +
                           " words; rebuild the model");
  }
  if (model->channel_.entry_count() > 0) model->channels_.push_back(model->channel_);
  return model;
}

size_t Model::AddChannel(channel::ChannelTableBuilder table) {
  const size_t dropped = table.RetainRows(
      [this](std::string_view word) { return vocabulary_.Find(word).has_value(); });
  // Interned in the model's own order, every retained word keeps its id.
  VocabularyBuilder ids;
  for (uint32_t index = 0; index < vocabulary_.size(); ++index) {
    ids.Intern(vocabulary_.Word(static_cast<WordId>(index)));
  }
  auto section = std::make_unique<std::string>(table.Serialize(&ids));
  UNSPIN_CHECK(ids.size() == vocabulary_.size());
  Result<channel::ChannelTable> added = channel::ChannelTable::OpenSection(*section);
  UNSPIN_CHECK(added.ok());  // serialised just now
  if (added->entry_count() > 0) channels_.push_back(*added);
  added_channel_sections_.push_back(std::move(section));
  return dropped;
}

Status Model::WriteWithDetectorWeights(std::span<const double> weights,
                                       const std::string& out_path) const {
  UNSPIN_CHECK(weights.size() == kDetectorWeightCount &&
               std::ranges::all_of(weights, [](double w) { return std::isfinite(w); }));
  // Sections stream from the mapped file, so no copy of the model is held in
  // memory; out_path may be this model's own path (the new file replaces it
  // by rename, and the mapping keeps the old one readable until then).
  const auto kept = std::ranges::count_if(
      file_.sections(), [](const SectionInfo& info) { return info.tag != kDetectorTag; });
  SectionStreamWriter writer(kModelMagic, kModelVersion, static_cast<uint32_t>(kept) + 1);
  UNSPIN_RETURN_IF_ERROR(writer.Open(out_path));
  for (const SectionInfo& info : file_.sections()) {
    if (info.tag == kDetectorTag) continue;
    Result<std::string_view> bytes = file_.Section(info.tag);
    UNSPIN_CHECK(bytes.ok());  // Open read every section
    UNSPIN_RETURN_IF_ERROR(writer.AddSection(info.tag, *bytes));
  }
  ByteSink detector;
  detector.Put(DetectorHeader{kDetectorFormatVersion, static_cast<uint32_t>(weights.size())});
  detector.PutArray(weights);
  UNSPIN_RETURN_IF_ERROR(writer.AddSection(kDetectorTag, detector.Take()));
  return writer.Commit();
}

bool Model::IsFunctionWord(WordId word) const {
  return Log10Frequency(word) > kFunctionWordLog10Frequency;
}

ModelInfo Model::Info() const {
  ModelInfo info;
  info.path = file_.path();
  info.file_bytes = file_.file_size();
  info.version = kModelVersion;
  info.vocabulary_words = vocabulary_.size();
  info.lexicon = lexicon_.stats();
  const lm::NgramModel& first = language_model_.first();
  info.lm_order = first.order();
  for (int n = 1; n <= first.order(); ++n) info.ngram_counts.push_back(first.NgramCount(n));
  info.lm_weight = language_model_.first_weight();
  if (language_model_.mixed()) {
    const lm::NgramModel& second = language_model_.second();
    info.second_lm_order = second.order();
    for (int n = 1; n <= second.order(); ++n) {
      info.second_ngram_counts.push_back(second.NgramCount(n));
    }
  }
  info.calibrated = !detector_weights_.empty();
  info.channel_phrases = channel_.phrase_count();
  info.channel_entries = channel_.entry_count();
  info.sections = file_.sections();
  nlohmann::json metadata =
      CheckJsonDepth(metadata_).ok()
          ? nlohmann::json::parse(metadata_, nullptr, /*allow_exceptions=*/false)
          : nlohmann::json();
  info.sources = metadata.is_object() && metadata.contains("sources") ? metadata["sources"].dump()
                                                                      : std::string("{}");
  return info;
}

}  // namespace unspin::model
