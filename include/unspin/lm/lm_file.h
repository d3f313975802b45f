// The stand-alone language model file written by `unspin lm build`: the unspin
// section container (docs/formats/section-file.md) with magic "UNSPNGLM"
// holding a vocabulary ("VOCB") and a back-off n-gram model over it ("LMNG").
// Specified in docs/formats/lm.md ("Language model file").
//
//   UNSPIN_RETURN_IF_ERROR(WriteLmFile("news.lm", vocabulary, builder));
//   UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<LmFile> file, LmFile::Open("news.lm"));
//   std::optional<WordId> id = file->vocabulary().Find("market");
//   float log10_prob = file->model().Score(file->model().BeginSentence(), *id, &state);
#ifndef UNSPIN_LM_LM_FILE_H_
#define UNSPIN_LM_LM_FILE_H_

#include <memory>
#include <string>

#include "unspin/base/section_file.h"
#include "unspin/base/status.h"
#include "unspin/lm/ngram_model.h"
#include "unspin/vocab/vocabulary.h"

namespace unspin::lm {

inline constexpr FileMagic kLmFileMagic = {'U', 'N', 'S', 'P', 'N', 'G', 'L', 'M'};
// Bump with a changelog line in docs/formats/lm.md. 1: first version.
inline constexpr uint32_t kLmFileVersion = 1;

// Serialises both and writes `path` atomically (path.tmp, fsync, rename).
// Errors: IOError.
Status WriteLmFile(const std::string& path, const VocabularyBuilder& vocabulary,
                   const NgramModelBuilder& model);

// A mapped language model file. The views it returns live as long as the
// LmFile. Thread-safe for reads.
class LmFile {
 public:
  // Errors: NotFound, IOError, Corruption (bad magic, truncation, bad CRC, bad
  // sections), VersionMismatch.
  static Result<std::unique_ptr<LmFile>> Open(const std::string& path);

  const Vocabulary& vocabulary() const { return vocabulary_; }
  const NgramModel& model() const { return model_; }
  // The bytes of the LMNG section `model()` views (to store it elsewhere).
  std::string_view model_section() const { return model_section_; }
  uint64_t file_size() const { return file_.file_size(); }

 private:
  explicit LmFile(SectionFile file) : file_(std::move(file)) {}

  SectionFile file_;
  Vocabulary vocabulary_;
  NgramModel model_;
  std::string_view model_section_;
};

}  // namespace unspin::lm

#endif  // UNSPIN_LM_LM_FILE_H_
