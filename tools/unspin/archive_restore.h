// Restoration by an archive (`restore --index`, and /v1/restore on a server
// with an index): the text's wording as voted by the indexed documents that
// align with it, the model's restoration filling in where none speaks.
//
//   const pipeline::Checker checker(model, options);
//   Result<ArchiveRestoration> restored = RestoreFromArchive(checker, index, classes, text);
//   // restored->text; restored->notes says which documents voted and why
#ifndef UNSPIN_TOOLS_UNSPIN_ARCHIVE_RESTORE_H_
#define UNSPIN_TOOLS_UNSPIN_ARCHIVE_RESTORE_H_

#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/pipeline/check.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::cli {

// An indexed document whose wording took part in the vote.
struct ArchiveSource {
  std::string id;
  double score = 0;  // its alignment with the text (source::Alignment)
  double coverage = 0;
  double weight = 0;  // its vote
};

struct ArchiveRestoration {
  std::string text;                    // the restored text
  std::vector<ArchiveSource> sources;  // empty: the model restored alone
  std::vector<std::string> notes;      // one line each, for people: what was done and why
};

// Archived documents aligned with the text that vote on its wording.
inline constexpr size_t kMaxWitnesses = 5;

// Two documents or more are weighed by how much each text differs from the
// others (source::WeighByAgreement: a source changed nothing, each spun copy
// its own share); a single one is taken when the model finds it more original
// than the text (a source), not otherwise (a spun sibling). When no document
// aligns with the text, or only a spun one, the model restores it alone.
// Errors: InvalidArgument for text that is not valid UTF-8, Corruption when
// an aligned document's stored bytes are damaged. Thread-safe.
Result<ArchiveRestoration> RestoreFromArchive(const pipeline::Checker& checker,
                                              const source::Index& index,
                                              const source::WordClasses& classes,
                                              std::string_view text);

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_ARCHIVE_RESTORE_H_
