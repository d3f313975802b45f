// Each site's spinner, learned from its own pages: what `unspin scan
// --adapt` does before it checks them. Pages are grouped by site (the host of
// their URL, or a field of their JSONL record), a table is learned from each
// site's pages alone (pipeline/channel_unsupervised.h), and the scan checks
// every page with its site's table beside the model's channel.
//
//   pipeline::SiteChannelOptions options;
//   UNSPIN_ASSIGN_OR_RETURN(std::vector<pipeline::SiteChannel> sites,
//                           pipeline::LearnSiteChannels(*model, {"crawl.warc.gz"}, options));
//   for (const pipeline::SiteChannel& site : sites) {
//     if (site.learned.substitutions.empty()) continue;
//     ...  // a model with site.learned.Table() added (Model::AddChannel), a Checker on it
//   }
#ifndef UNSPIN_PIPELINE_SITE_CHANNELS_H_
#define UNSPIN_PIPELINE_SITE_CHANNELS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/extract/records.h"
#include "unspin/model/model.h"
#include "unspin/pipeline/channel_unsupervised.h"

namespace unspin::pipeline {

// The site of a document: with an empty `field`, the host of its url
// (lower-cased, without a port, user or leading "www."); else the value of
// the member `field` of its JSONL record (a string, or a number as written).
// Empty when it has none.
std::string DocumentSite(const extract::Document& doc, std::string_view field);

struct SiteChannelOptions {
  std::string field;  // DocumentSite's field; empty: the url's host
  // Sites with fewer documents are not learned from (too little evidence).
  uint64_t min_documents = 20;
  UnsupervisedChannelOptions learn;
  // As ScanOptions: every input's format (nullopt: detected), the largest record read.
  std::optional<extract::InputFormat> format;
  uint64_t max_record_bytes = uint64_t{64} << 20;
};

// What one site's pages taught.
struct SiteChannel {
  std::string site;
  uint64_t documents = 0;
  UnsupervisedChannel learned;  // empty when nothing was learned
  // Why nothing was learned ("12 documents, fewer than 20"; the learner's
  // refusal); empty when the site was learned from.
  std::string not_learned;
};

// Reads every document of `inputs` (ExpandInputs) twice, as Scan reads them
// (bad records skipped; pages by their article, as Extract gives it): first
// to count each site's documents, then to learn a table for every site with
// at least min_documents. Documents without a site are not learned from.
// Sites are returned by name; their learning is deterministic, so a resumed
// scan learns the same tables. Memory: one learner per learned site (counts
// only). Errors: NotFound for a missing input path; an input that cannot be
// read is skipped here (Scan reports it).
Result<std::vector<SiteChannel>> LearnSiteChannels(const model::Model& model,
                                                   const std::vector<std::string>& inputs,
                                                   const SiteChannelOptions& options);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_SITE_CHANNELS_H_
