// The unspin model: one versioned, checksummed, memory-mapped file holding the
// vocabulary, the thesaurus graph with morphology, word frequencies and the
// n-gram language model. Format: docs/formats/model.md.
//
//   model::BuildReport report;
//   UNSPIN_RETURN_IF_ERROR(model::BuildModel(model::BuildOptions{}, "en-us.unspin", &report));
//   UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<model::Model> m, model::Model::Open("en-us.unspin"));
//   std::optional<WordId> id = m->vocabulary().Find("failed");
#ifndef UNSPIN_MODEL_MODEL_H_
#define UNSPIN_MODEL_MODEL_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "unspin/base/section_file.h"
#include "unspin/base/status.h"
#include "unspin/channel/channel.h"
#include "unspin/lexicon/lexicon.h"
#include "unspin/lm/mixed_model.h"
#include "unspin/lm/ngram_model.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::model {

inline constexpr FileMagic kModelMagic = {'U', 'N', 'S', 'P', 'M', 'O', 'D', 'L'};
// Version 1: VOCB, META, FREQ, lexicon sections, LMNG; optional CHAN (learned
// channel); optional LMN2 + LMMX (a second language model and the mixture
// weight); optional DTCT (the checker's detector weights).
inline constexpr uint32_t kModelVersion = 1;

// Numbers in a DTCT section: the weights of the checker's verdict
// (pipeline::DetectorWeights), fitted to this model by `unspin model calibrate`.
inline constexpr size_t kDetectorWeightCount = 7;

// Where the default model's Debian data live.
struct BuildOptions {
  std::string wordnet_dir = "/usr/share/wordnet";
  std::string mythes_path = "/usr/share/mythes/th_en_US_v2.dat";
  std::string sphinx_lm_path = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";
  // A language model file from `unspin lm build` / `lm convert` (UNSPNGLM); when
  // set, it replaces the sphinx model. Its words take the model's first word
  // ids, in the LM's own order, so its LMNG section is stored unchanged.
  std::string lm_path;
  // With lm_path: its share in a linear mixture with the sphinx model, in
  // (0, 1]; 1 uses it alone. The sphinx model then becomes section LMN2.
  double lm_weight = 1.0;
  // A learned channel table (TSV from `unspin channel learn`); when set, it
  // becomes the CHAN section. Its words join the vocabulary.
  std::string channel_path;
};

struct BuildReport {
  lexicon::LexiconStats lexicon;
  std::vector<uint64_t> ngram_counts;  // index n-1
  uint64_t vocabulary_words = 0;
  uint64_t file_bytes = 0;
  uint64_t channel_phrases = 0;  // distinct spun phrases in CHAN
  uint64_t channel_entries = 0;  // (spun, original) entries in CHAN
};

// Reads a learned channel table (TSV from `unspin channel learn`,
// channel::ChannelTableBuilder::ReadTsv): what BuildOptions::channel_path and
// `unspin check --channel` read. Errors: NotFound / IOError for the file,
// InvalidArgument naming it and the line.
Result<channel::ChannelTableBuilder> ReadChannelTable(const std::string& path);

// Reads the sources named in `options` and writes the model atomically to
// `out_path` (an interrupted build leaves an existing file intact).
// Errors: NotFound for a missing source (install it with scripts/setup),
// Corruption for an unreadable one, VersionMismatch for a language model file
// of another format version (rebuild it), IOError when writing fails.
Status BuildModel(const BuildOptions& options, const std::string& out_path, BuildReport* report);

// What `unspin model info` prints.
struct ModelInfo {
  std::string path;
  uint64_t file_bytes = 0;
  uint32_t version = 0;
  uint64_t vocabulary_words = 0;
  lexicon::LexiconStats lexicon;
  int lm_order = 0;
  std::vector<uint64_t> ngram_counts;
  double lm_weight = 1.0;  // the first LM's share; below 1 when mixed with a second
  int second_lm_order = 0;
  std::vector<uint64_t> second_ngram_counts;
  bool calibrated = false;       // has its own detector weights (DTCT)
  uint64_t channel_phrases = 0;  // 0 when the model has no CHAN section
  uint64_t channel_entries = 0;
  std::vector<SectionInfo> sections;
  std::string sources;  // JSON text: the files the model was built from, with sizes
};

// A loaded model. Views returned by the accessors live as long as the Model.
// Thread-safe for concurrent reads.
class Model {
 public:
  // Maps the file and validates every section (bad magic, version, checksums,
  // structure). Errors: NotFound, Corruption, VersionMismatch, IOError.
  static Result<std::unique_ptr<Model>> Open(const std::string& path);

  const Vocabulary& vocabulary() const { return vocabulary_; }
  const lexicon::Lexicon& lexicon() const { return lexicon_; }
  const lm::MixedModel& language_model() const { return language_model_; }
  // The learned channel (CHAN section); an empty table when the model has none.
  const channel::ChannelTable& channel() const { return channel_; }
  // Every channel the checker proposes from: the model's own (when it has
  // one), then those added with AddChannel, in order.
  std::span<const channel::ChannelTable> channels() const { return channels_; }
  // Puts a learned table beside the model's own channel without rebuilding
  // the file (`unspin check --channel`). Rows with a word the vocabulary
  // lacks are dropped (the checker could never read or score them); returns
  // how many. Not thread-safe: add tables before any Checker is made.
  size_t AddChannel(channel::ChannelTableBuilder table);
  // The detector weights fitted to this model (DTCT section,
  // kDetectorWeightCount finite numbers); empty when it has none.
  std::span<const double> detector_weights() const { return detector_weights_; }
  // Writes this model, with `weights` (kDetectorWeightCount finite numbers,
  // else aborts) as its detector weights, atomically to `out_path`: every
  // other section is copied unchanged. Errors: IOError.
  Status WriteWithDetectorWeights(std::span<const double> weights,
                                  const std::string& out_path) const;
  // Log10Frequency of a word the language model does not know.
  static constexpr float kUnknownLog10Frequency = -9.0f;

  // log10 relative frequency of a word (LM unigram), a floor for unknown words.
  // Inline: the checker asks for every candidate word.
  float Log10Frequency(WordId word) const {
    uint32_t index = ToIndex(word);
    return index < frequencies_.size() ? frequencies_[index] : kUnknownLog10Frequency;
  }

  // Function words and the most common verbs (log10 frequency above -2.3):
  // spinners leave them alone, and their thesaurus senses ("in" -> "indium")
  // are noise.
  bool IsFunctionWord(WordId word) const;
  ModelInfo Info() const;
  // The file's sections with their recorded checksums: what a derived
  // structure (such as source::WordClasses) was computed from.
  const std::vector<SectionInfo>& sections() const { return file_.sections(); }

 private:
  Model() = default;

  SectionFile file_;
  Vocabulary vocabulary_;
  lexicon::Lexicon lexicon_;
  lm::MixedModel language_model_;
  channel::ChannelTable channel_;
  std::vector<channel::ChannelTable> channels_;
  // The sections of added channels (tables view them; heap-held, never moved).
  std::vector<std::unique_ptr<std::string>> added_channel_sections_;
  std::span<const double> detector_weights_;
  std::span<const float> frequencies_;
  std::string_view metadata_;
};

}  // namespace unspin::model

#endif  // UNSPIN_MODEL_MODEL_H_
