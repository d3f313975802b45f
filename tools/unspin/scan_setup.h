// What `unspin scan` and the Python module's scan (python/, `unspin.dask`)
// share, so that both write the same result lines for the same document:
// the model's identity recorded in the results header, and the "source"
// field's finder over one index or several index shards queried as one.
//
//   pipeline::ScanOptions options;
//   options.settings["model"] = ModelFingerprint(*model);
//   source::Finder finder(*index, classes, BestSourceOptions());
//   options.find_source = BestSourceFinder({&finder});
//
// A static library of its own (unspin_scan_setup): the CLI and the Python
// module link it.
#ifndef UNSPIN_TOOLS_UNSPIN_SCAN_SETUP_H_
#define UNSPIN_TOOLS_UNSPIN_SCAN_SETUP_H_

#include <string>
#include <vector>

#include "unspin/model/model.h"
#include "unspin/pipeline/scan.h"
#include "unspin/source/find.h"

namespace unspin::cli {

// The model's identity for the results header: the recorded checksums of
// its sections (the descriptive META section, which names the build's source
// paths, left out), as 8 hex digits.
std::string ModelFingerprint(const model::Model& model);

// The find options of the "source" field: the best match only.
source::FindOptions BestSourceOptions();

// The matches of `query` in every shard, best first, at most `max_matches`:
// each shard's own matches (Finder::Find) merged by alignment score, which
// depends on the query and the document alone, not on the rest of the
// shard, so shards compare as one index would (a tie keeps the earlier
// shard's match first). Errors: those of Finder::Find.
Result<std::vector<source::Match>> FindInShards(const std::vector<const source::Finder*>& shards,
                                                std::string_view query, size_t max_matches);

// The "source" field of a result line: {"id", "score", "coverage"} of the
// best match in `shards` (scores rounded to 4 decimals), null for none. The
// finders must outlive the returned function; thread-safe as they are.
pipeline::SourceFinder BestSourceFinder(std::vector<const source::Finder*> shards);

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_SCAN_SETUP_H_
