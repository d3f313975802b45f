#include "scan_setup.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>

#include "unspin/base/crc32c.h"
#include "unspin/base/section_file.h"

namespace unspin::cli {

std::string ModelFingerprint(const model::Model& model) {
  uint32_t crc = 0;
  for (const SectionInfo& section : model.sections()) {
    if (section.tag == SectionTag("META")) continue;
    const uint64_t record[3] = {section.tag, section.size, section.crc};
    crc = Crc32cExtend(crc, record, sizeof record);
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc);
  return hex;
}

source::FindOptions BestSourceOptions() {
  source::FindOptions options;
  options.max_matches = 1;
  return options;
}

Result<std::vector<source::Match>> FindInShards(const std::vector<const source::Finder*>& shards,
                                                std::string_view query, size_t max_matches) {
  std::vector<source::Match> matches;
  for (const source::Finder* shard : shards) {
    UNSPIN_ASSIGN_OR_RETURN(std::vector<source::Match> found, shard->Find(query));
    std::move(found.begin(), found.end(), std::back_inserter(matches));
  }
  std::stable_sort(matches.begin(), matches.end(),
                   [](const source::Match& a, const source::Match& b) {
                     return a.alignment.score > b.alignment.score;
                   });
  if (matches.size() > max_matches) matches.resize(max_matches);
  return matches;
}

pipeline::SourceFinder BestSourceFinder(std::vector<const source::Finder*> shards) {
  return [shards = std::move(shards)](
             const extract::Document&, std::string_view text,
             const pipeline::CheckResult&) -> Result<std::optional<std::string>> {
    UNSPIN_ASSIGN_OR_RETURN(std::vector<source::Match> matches, FindInShards(shards, text, 1));
    if (matches.empty()) return std::optional<std::string>();
    const source::Match& best = matches.front();
    nlohmann::ordered_json value;
    value["id"] = best.id;
    value["score"] = static_cast<double>(std::lround(best.alignment.score * 10000)) / 10000;
    value["coverage"] = static_cast<double>(std::lround(best.alignment.coverage * 10000)) / 10000;
    return std::optional<std::string>(
        value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
}

}  // namespace unspin::cli
