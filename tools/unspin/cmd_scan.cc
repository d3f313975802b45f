// unspin scan: check every document of many inputs on all cores, one JSON
// result line per document, resumable (docs/scan.md).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli.h"
#include "documents.h"
#include "scan_setup.h"
#include "unspin/base/file.h"
#include "unspin/pipeline/scan.h"
#include "unspin/pipeline/site_channels.h"
#include "unspin/source/find.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::cli {
namespace {

struct ScanFlags {
  std::vector<std::string> inputs;
  std::string out;
  std::string index;
  std::string model;
  std::string summary;
  int threads = 0;
  bool overwrite = false;
  std::string format = "auto";
  std::string memory = "1G";  // pipeline::kDefaultScanMemoryBytes
  bool adapt = false;
  std::string site_field;
  pipeline::CheckOptions check_options;
};

// The checker options that differ from the defaults, as results-header
// settings: they decide every line, so a scan with others is not resumed
// (and a default scan's header stays as it was before the options existed).
void RecordCheckOptions(const pipeline::CheckOptions& options,
                        std::map<std::string, std::string>* settings) {
  const pipeline::CheckOptions defaults;
  auto record = [settings](const char* name, double value, double default_value) {
    if (value == default_value) return;
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    (*settings)[name] = text;
  };
  record("change_cost", options.change_cost, defaults.change_cost);
  record("min_spun_probability", options.min_spun_probability, defaults.min_spun_probability);
  record("spun_share", options.spun_share, defaults.spun_share);
}

// scan --adapt: each site's learned table beside the model, and a checker on it.
struct AdaptedSites {
  std::vector<pipeline::SiteChannel> sites;
  std::vector<std::unique_ptr<model::Model>> models;
  std::map<std::string, std::unique_ptr<pipeline::Checker>, std::less<>> checkers;
};

int AdaptToSites(const ScanFlags& flags, const pipeline::SiteChannelOptions& options,
                 const model::Model& model, AdaptedSites* adapted) {
  Result<std::vector<pipeline::SiteChannel>> sites =
      pipeline::LearnSiteChannels(model, flags.inputs, options);
  if (!sites.ok()) return Fail(sites.status(), Origin::kInput);
  adapted->sites = std::move(*sites);
  for (const pipeline::SiteChannel& site : adapted->sites) {
    if (site.learned.substitutions.empty()) continue;
    int exit_code = kExitOk;
    std::unique_ptr<model::Model> site_model = LoadModel(flags.model, &exit_code);
    if (!site_model) return exit_code;
    site_model->AddChannel(site.learned.Table());
    adapted->checkers[site.site] =
        std::make_unique<pipeline::Checker>(*site_model, flags.check_options);
    adapted->models.push_back(std::move(site_model));
  }
  return kExitOk;
}

// Each site's learned swaps, on stderr and in the JSON summary.
void PrintSites(const std::vector<pipeline::SiteChannel>& sites) {
  for (const pipeline::SiteChannel& site : sites) {
    std::string swaps;
    for (size_t k = 0; k < site.learned.substitutions.size() && k < 5; ++k) {
      const pipeline::LearnedSubstitution& entry = site.learned.substitutions[k];
      swaps += (k > 0 ? ", " : "") + entry.original + " -> " + entry.spun + " (" +
               std::to_string(entry.preferred) + ")";
    }
    if (site.learned.substitutions.size() > 5) swaps += ", ...";
    std::fprintf(stderr, "  site %s: %llu documents, %s\n", site.site.c_str(),
                 static_cast<unsigned long long>(site.documents),
                 site.not_learned.empty() ? (std::to_string(site.learned.substitutions.size()) +
                                             " swaps learned" + (swaps.empty() ? "" : ": " + swaps))
                                                .c_str()
                                          : ("nothing learned: " + site.not_learned).c_str());
  }
}

nlohmann::ordered_json SitesJson(const std::vector<pipeline::SiteChannel>& sites) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const pipeline::SiteChannel& site : sites) {
    nlohmann::ordered_json entry;
    entry["site"] = site.site;
    entry["documents"] = site.documents;
    nlohmann::ordered_json swaps = nlohmann::ordered_json::array();
    for (const pipeline::LearnedSubstitution& swap : site.learned.substitutions) {
      swaps.push_back({{"original", swap.original},
                       {"spun", swap.spun},
                       {"preferred", swap.preferred},
                       {"spun_count", swap.spun_count},
                       {"original_count", swap.original_count},
                       {"mean_gain", std::round(swap.mean_gain * 100) / 100},
                       {"frequency_evidence", std::round(swap.frequency_evidence * 100) / 100}});
    }
    entry["substitutions"] = std::move(swaps);
    if (!site.not_learned.empty()) entry["not_learned"] = site.not_learned;
    list.push_back(std::move(entry));
  }
  return list;
}

std::string Duration(double seconds) {
  if (!(seconds >= 0) || seconds > 99 * 3600) return "--:--";
  auto total = static_cast<long>(seconds + 0.5);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

// One line, redrawn in place: bar, documents/s, MB/s, ETA from input bytes.
void DrawProgress(const pipeline::ScanProgress& progress) {
  double fraction = progress.total_bytes > 0 ? static_cast<double>(progress.bytes_read) /
                                                   static_cast<double>(progress.total_bytes)
                                             : 0;
  fraction = std::min(1.0, fraction);
  constexpr int kWidth = 24;
  auto filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  bar.resize(kWidth, ' ');
  double seconds = std::max(progress.seconds, 1e-3);
  double mb_per_s = static_cast<double>(progress.bytes_read) / 1e6 / seconds;
  double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : -1;
  std::fprintf(stderr, "\r[%s] %3.0f%%  %llu docs  %.1f docs/s  %.2f MB/s  ETA %s   ", bar.c_str(),
               fraction * 100, static_cast<unsigned long long>(progress.documents),
               static_cast<double>(progress.documents) / seconds, mb_per_s, Duration(eta).c_str());
  std::fflush(stderr);
}

void PrintSummary(const pipeline::ScanSummary& summary) {
  auto counts = [](const std::map<std::string, uint64_t>& map) {
    std::string text;
    for (const auto& [name, count] : map) {
      text += (text.empty() ? "" : ", ") + name + " " + std::to_string(count);
    }
    return text.empty() ? std::string("none") : text;
  };
  double seconds = std::max(summary.seconds, 1e-3);
  std::fprintf(stderr,
               "unspin scan: %llu documents from %llu inputs in %.1f s (%.1f docs/s, %.2f MB/s); "
               "%llu resumed, %llu errors\n",
               static_cast<unsigned long long>(summary.documents),
               static_cast<unsigned long long>(summary.inputs), summary.seconds,
               static_cast<double>(summary.documents) / seconds,
               static_cast<double>(summary.bytes) / 1e6 / seconds,
               static_cast<unsigned long long>(summary.resumed),
               static_cast<unsigned long long>(summary.errors));
  std::fprintf(stderr, "  inputs: %s\n", counts(summary.inputs_by_format).c_str());
  std::fprintf(stderr, "  documents: %s\n", counts(summary.documents_by_format).c_str());
  std::map<std::string, uint64_t> skipped;
  for (size_t i = 0; i < extract::kSkipReasonCount; ++i) {
    if (summary.skipped[i] > 0) {
      skipped[std::string(extract::SkipReasonName(static_cast<extract::SkipReason>(i)))] =
          summary.skipped[i];
    }
  }
  std::fprintf(stderr, "  skipped records: %s\n", counts(skipped).c_str());
  if (summary.unknown_charset + summary.repaired_utf8 + summary.resyncs > 0) {
    std::fprintf(stderr,
                 "  charsets read as UTF-8: %llu, documents with invalid UTF-8 replaced: %llu, "
                 "WARC resyncs: %llu\n",
                 static_cast<unsigned long long>(summary.unknown_charset),
                 static_cast<unsigned long long>(summary.repaired_utf8),
                 static_cast<unsigned long long>(summary.resyncs));
  }
  if (summary.replaced_bytes > 0) {
    std::fprintf(stderr, "  replaced %llu bytes of another scan's results (--overwrite)\n",
                 static_cast<unsigned long long>(summary.replaced_bytes));
  }
  if (summary.truncated_bytes > 0) {
    std::fprintf(stderr, "  resumed after cutting a torn tail of %llu bytes from the output\n",
                 static_cast<unsigned long long>(summary.truncated_bytes));
  }
  std::fprintf(stderr, "  spun probability:");
  for (size_t i = 0; i < summary.spun_histogram.size(); ++i) {
    std::fprintf(stderr, " %.1f-%.1f:%llu", static_cast<double>(i) / 10,
                 static_cast<double>(i + 1) / 10,
                 static_cast<unsigned long long>(summary.spun_histogram[i]));
  }
  std::fprintf(stderr, "\n");
  for (const std::string& warning : summary.warnings) {
    std::fprintf(stderr, "  warning: %s\n", warning.c_str());
  }
}

// --summary is written when the scan is done: it must not name one of the
// inputs (by any spelling or link, or a file in a scanned directory) or the
// results file, which it would replace. Usage errors, said on stderr.
bool SummaryIsItsOwnFile(const ScanFlags& flags) {
  namespace fs = std::filesystem;
  if (flags.summary.empty()) return true;
  std::error_code error;
  if (fs::exists(flags.summary, error)
          ? fs::equivalent(flags.summary, flags.out, error)
          : fs::weakly_canonical(flags.summary, error) == fs::weakly_canonical(flags.out, error)) {
    std::fprintf(stderr, "unspin: --summary %s is the results file (--out); name another file\n",
                 flags.summary.c_str());
    return false;
  }
  Result<std::vector<std::string>> files = pipeline::ExpandInputs(flags.inputs);
  return !OutputIsAnInput("--summary", flags.summary, files.ok() ? *files : flags.inputs);
}

// The summary as JSON (with --adapt, each site's swaps too), written
// atomically: exit 4 when it cannot be.
int WriteSummary(const ScanFlags& flags, const pipeline::ScanSummary& summary,
                 const AdaptedSites& adapted) {
  std::string json = pipeline::ScanSummaryToJson(summary);
  if (flags.adapt) {
    nlohmann::ordered_json object =
        nlohmann::ordered_json::parse(json, nullptr, /*allow_exceptions=*/false);
    object["sites"] = SitesJson(adapted.sites);
    json = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  json += '\n';
  AtomicFileWriter file;
  Status written = file.Open(flags.summary);
  if (written.ok()) written = file.Append(json);
  if (written.ok()) written = file.Commit();
  return written.ok() ? kExitOk : Fail(written, Origin::kInput);
}

int RunScan(const ScanFlags& flags) {
  for (const std::string& input : flags.inputs) {
    if (input == "-") {
      std::fprintf(stderr,
                   "unspin: scan reads files and directories, not standard input (a resumed "
                   "scan must be able to read its inputs again)\n");
      return kExitUsage;
    }
  }
  if (!SummaryIsItsOwnFile(flags)) return kExitUsage;
  if (!flags.site_field.empty() && !flags.adapt) {
    std::fprintf(stderr, "unspin: --site-field names the sites of --adapt; add --adapt\n");
    return kExitUsage;
  }
  const std::optional<uint64_t> memory = ParseMemory(flags.memory);
  if (!memory) {
    std::fprintf(stderr, "unspin: --memory %s: expected e.g. 512M, 4G or 25%%\n",
                 flags.memory.c_str());
    return kExitUsage;
  }
  // With --index the model comes with the index (same classes); without, alone.
  LoadedIndex loaded;
  if (!flags.index.empty()) {
    if (int code = LoadIndex(flags.model, flags.index, &loaded); code != kExitOk) return code;
  } else {
    int exit_code = kExitOk;
    loaded.model = LoadModel(flags.model, &exit_code);
    if (!loaded.model) return exit_code;
  }
  pipeline::Checker checker(*loaded.model, flags.check_options);
  pipeline::ScanOptions options;
  options.threads = flags.threads;
  options.overwrite = flags.overwrite;
  options.memory_bytes = *memory;
  options.settings["model"] = ModelFingerprint(*loaded.model);
  if (flags.format != "auto") {
    Result<extract::InputFormat> format = extract::ParseInputFormat(flags.format);
    if (!format.ok()) return Fail(format.status(), Origin::kInput);
    options.format = *format;
    options.settings["format"] = flags.format;
  }
  if (!flags.index.empty()) options.settings["index"] = flags.index;
  RecordCheckOptions(flags.check_options, &options.settings);
  // --index: each document's best source match, as `unspin find` gives it.
  std::unique_ptr<source::Finder> finder;
  if (loaded.index) {
    finder = std::make_unique<source::Finder>(*loaded.index, *loaded.classes, BestSourceOptions());
    options.find_source = BestSourceFinder({finder.get()});
  }
  // --adapt: learn each site's spinner from its pages first (the same
  // tables on a resume: the learning is deterministic).
  AdaptedSites adapted;
  if (flags.adapt) {
    pipeline::SiteChannelOptions site_options;
    site_options.field = flags.site_field;
    site_options.format = options.format;
    site_options.max_record_bytes = options.max_record_bytes;
    if (int code = AdaptToSites(flags, site_options, *loaded.model, &adapted); code != kExitOk) {
      return code;
    }
    options.settings["adapt"] = flags.site_field.empty() ? "host" : "field:" + flags.site_field;
    options.checker_for = [&adapted, &flags](const extract::Document& doc) {
      auto found = adapted.checkers.find(pipeline::DocumentSite(doc, flags.site_field));
      return found == adapted.checkers.end() ? nullptr : found->second.get();
    };
  }
  bool terminal = ::isatty(STDERR_FILENO) == 1;
  if (terminal) options.progress = DrawProgress;
  Result<pipeline::ScanSummary> summary = pipeline::Scan(checker, flags.inputs, flags.out, options);
  if (terminal) std::fprintf(stderr, "\n");
  // InvalidArgument: --out names an input or a file the scan does not own.
  if (!summary.ok() && summary.status().code() == StatusCode::kInvalidArgument) {
    std::fprintf(stderr, "unspin: %s\n", summary.status().message().c_str());
    return kExitUsage;
  }
  if (!summary.ok()) return Fail(summary.status(), Origin::kInput);
  PrintSummary(*summary);
  if (flags.adapt) PrintSites(adapted.sites);
  if (!flags.summary.empty()) {
    if (int code = WriteSummary(flags, *summary, adapted); code != kExitOk) return code;
  }
  for (const std::string& error : summary->input_errors) {
    std::fprintf(stderr, "unspin: %s\n", error.c_str());
  }
  if (!summary->first_input_error.ok()) {
    switch (summary->first_input_error.code()) {
      case StatusCode::kNotFound:
      case StatusCode::kIOError:
        return kExitIO;
      case StatusCode::kInternal:
        return kExitInternal;
      default:
        return kExitBadInput;
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterScan(CLI::App& app, Action* action) {
  auto flags = std::make_shared<ScanFlags>();
  CLI::App* scan = app.add_subcommand(
      "scan",
      "Check every document of text, HTML, WARC and JSONL files and directories on all cores; "
      "one JSON result line per document, resumable");
  scan->add_option("inputs", flags->inputs,
                   "files (text, HTML, WARC, .warc.gz, JSONL) and directories (recursed)")
      ->required();
  scan->add_option("--out", flags->out,
                   "results: a header line, then one JSON line per document; an existing "
                   "results file of the same inputs and settings is resumed, any other file "
                   "refused")
      ->required();
  scan->add_flag("--overwrite", flags->overwrite,
                 "replace an existing results file of other inputs or settings (never an input "
                 "or a file that is not a results file)");
  scan->add_option("--threads", flags->threads, "worker threads (default: one per core)")
      ->check(CLI::Range(1, 1024));
  scan->add_option("--memory", flags->memory,
                   "budget for the records in flight, e.g. 512M, 4G, 25% (of RAM); the reader "
                   "waits for room, and a record larger than the budget gets an error line")
      ->capture_default_str();
  scan->add_option("--model", flags->model, "model file (default: $UNSPIN_MODEL or the built-in)");
  scan->add_option("--index", flags->index, "source index directory for the \"source\" field");
  AddCheckerOptions(scan, &flags->check_options);
  scan->add_option("--summary", flags->summary, "also write the summary as JSON to this file");
  scan->add_flag("--adapt", flags->adapt,
                 "learn each site's spinner from its own pages first (channel learn "
                 "--unsupervised per site, docs/channel-unsupervised.md), then check each page "
                 "with its site's table; the summary lists each site's learned swaps");
  scan->add_option("--site-field", flags->site_field,
                   "with --adapt: group JSONL records by this field instead of the URL's host");
  AddInputFormatOption(scan, &flags->format);
  scan->callback([flags, action] { *action = [flags] { return RunScan(*flags); }; });
}

}  // namespace unspin::cli
