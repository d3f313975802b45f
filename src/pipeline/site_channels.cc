// Each site's spinner learned from its own pages (scan --adapt).
#include "unspin/pipeline/site_channels.h"

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "unspin/base/json_depth.h"
#include "unspin/pipeline/extract.h"
#include "unspin/pipeline/scan.h"

namespace unspin::pipeline {
namespace {

std::string LowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// "https://user@www.Example.com:8080/path" -> "example.com".
std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (size_t colon = rest.rfind(':');
      colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos) {
    rest = rest.substr(0, colon);
  }
  std::string host = LowerAscii(rest);
  if (host.starts_with("www.")) host.erase(0, 4);
  return host;
}

// Calls `take` with every document of every input, as Scan reads them.
void ForEachDocument(const std::vector<std::string>& files, const SiteChannelOptions& options,
                     const std::function<void(const extract::Document&)>& take) {
  extract::ReaderOptions reader_options;
  reader_options.max_record_bytes = options.max_record_bytes;
  reader_options.format = options.format;
  for (const std::string& file : files) {
    Result<std::unique_ptr<extract::RecordReader>> reader =
        extract::RecordReader::Open(file, reader_options);
    if (!reader.ok()) continue;  // Scan reports it
    extract::Document doc;
    for (;;) {
      Result<bool> more = (*reader)->Next(&doc);
      if (!more.ok() || !*more) break;
      take(doc);
    }
  }
}

}  // namespace

std::string DocumentSite(const extract::Document& doc, std::string_view field) {
  if (field.empty()) return UrlHost(doc.url);
  if (!CheckJsonDepth(doc.metadata).ok()) return "";
  nlohmann::json metadata =
      nlohmann::json::parse(doc.metadata, nullptr, /*allow_exceptions=*/false);
  if (!metadata.is_object()) return "";
  auto found = metadata.find(std::string(field));
  if (found == metadata.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number()) return found->dump();
  return "";
}

Result<std::vector<SiteChannel>> LearnSiteChannels(const model::Model& model,
                                                   const std::vector<std::string>& inputs,
                                                   const SiteChannelOptions& options) {
  UNSPIN_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandInputs(inputs));
  std::map<std::string, SiteChannel> sites;
  ForEachDocument(files, options, [&](const extract::Document& doc) {
    std::string site = DocumentSite(doc, options.field);
    if (site.empty()) return;
    SiteChannel& entry = sites[site];
    entry.site = std::move(site);
    ++entry.documents;
  });
  std::shared_ptr<const Checker> proposer =
      UnsupervisedChannelLearner::MakeProposer(model, options.learn);
  std::map<std::string, UnsupervisedChannelLearner, std::less<>> learners;
  for (const auto& [site, entry] : sites) {
    if (entry.documents >= options.min_documents) {
      learners.try_emplace(site, model, proposer, options.learn);
    }
  }
  if (!learners.empty()) {
    ForEachDocument(files, options, [&](const extract::Document& doc) {
      auto learner = learners.find(DocumentSite(doc, options.field));
      if (learner == learners.end()) return;
      Result<ExtractResult> page = ExtractDocument(doc);
      // A page that cannot be read teaches nothing; its scan line says why.
      if (page.ok()) static_cast<void>(learner->second.AddText(page->body));
    });
  }
  std::vector<SiteChannel> learned;
  for (auto& [site, entry] : sites) {
    auto learner = learners.find(site);
    if (learner == learners.end()) {
      entry.not_learned = std::to_string(entry.documents) + " documents, fewer than " +
                          std::to_string(options.min_documents);
    } else if (Result<UnsupervisedChannel> channel = learner->second.Finish(); channel.ok()) {
      entry.learned = std::move(*channel);
    } else {
      entry.not_learned = channel.status().message();
    }
    learned.push_back(std::move(entry));
  }
  return learned;
}

}  // namespace unspin::pipeline
