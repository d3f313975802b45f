#include "unspin/lm/lm_file.h"

namespace unspin::lm {
namespace {

constexpr uint32_t kVocabularyTag = SectionTag("VOCB");
constexpr uint32_t kLanguageModelTag = SectionTag("LMNG");

}  // namespace

Status WriteLmFile(const std::string& path, const VocabularyBuilder& vocabulary,
                   const NgramModelBuilder& model) {
  SectionFileWriter writer(kLmFileMagic, kLmFileVersion);
  writer.Add(kVocabularyTag, vocabulary.Serialize());
  writer.Add(kLanguageModelTag, model.Serialize());
  return writer.Write(path);
}

Result<std::unique_ptr<LmFile>> LmFile::Open(const std::string& path) {
  UNSPIN_ASSIGN_OR_RETURN(SectionFile file, SectionFile::Open(path, kLmFileMagic, kLmFileVersion));
  std::unique_ptr<LmFile> lm_file(new LmFile(std::move(file)));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view vocabulary, lm_file->file_.Section(kVocabularyTag));
  UNSPIN_ASSIGN_OR_RETURN(std::string_view model, lm_file->file_.Section(kLanguageModelTag));
  Result<Vocabulary> opened_vocabulary = Vocabulary::Open(vocabulary);
  if (!opened_vocabulary.ok()) return opened_vocabulary.status().WithContext(path);
  Result<NgramModel> opened_model = NgramModel::Open(model);
  if (!opened_model.ok()) return opened_model.status().WithContext(path);
  lm_file->vocabulary_ = *opened_vocabulary;
  lm_file->model_ = *opened_model;
  lm_file->model_section_ = model;
  return lm_file;
}

}  // namespace unspin::lm
