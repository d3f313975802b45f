// unspin find: the indexed documents a text copies, with aligned evidence.
// unspin cluster: families of copies in an index or a set of files.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "cli.h"
#include "documents.h"
#include "unspin/pipeline/check.h"
#include "unspin/source/find.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::cli {
namespace {

struct FindFlags {
  std::string index;
  std::string input = "-";
  std::vector<std::string> inputs;
  std::string model;
  size_t max_matches = 5;
  size_t candidates = source::FindOptions{}.candidates;
  double min_score = source::FindOptions{}.min_score;
  bool json = false;
  bool jsonl = false;
  bool timing = false;
  std::string format = "auto";
};

source::FindOptions Options(const FindFlags& flags) {
  source::FindOptions options;
  options.max_matches = flags.max_matches;
  options.candidates = std::max(flags.candidates, flags.max_matches);
  options.min_score = flags.min_score;
  return options;
}

void PrintMatchesForPeople(std::string_view query, const std::vector<source::Match>& matches,
                           CheckedOutput& out) {
  constexpr size_t kShown = 8;
  for (const source::Match& match : matches) {
    const source::SpanPair span = source::AlignedSpan(match.alignment);
    out.Printf("%.*s  score %.2f  coverage %.2f  source bytes %u-%u of %zu\n",
               static_cast<int>(match.id.size()), match.id.data(), match.alignment.score,
               match.alignment.coverage, span.source_begin, span.source_end,
               match.source_text.size());
    size_t substitutions = 0;
    for (const source::AlignedBlock& block : match.alignment.blocks) {
      for (const source::SpanPair& sub : block.substitutions) {
        if (substitutions++ >= kShown) continue;
        std::string_view spun = query.substr(sub.query_begin, sub.query_end - sub.query_begin);
        std::string_view original =
            match.source_text.substr(sub.source_begin, sub.source_end - sub.source_begin);
        out.Printf("    \"%.*s\" <- \"%.*s\"\n", static_cast<int>(spun.size()), spun.data(),
                   static_cast<int>(original.size()), original.data());
      }
    }
    if (substitutions > kShown) {
      out.Printf("    ... %zu more differences (--json lists them all with offsets)\n",
                 substitutions - kShown);
    }
  }
}

// Why nothing matched, for people: no candidate at all (no indexed document
// shares a shingle with the query), or the best candidate's score under
// --min-score.
std::string NoMatchReason(const LoadedIndex& loaded, const FindFlags& flags,
                          std::string_view query) {
  source::FindOptions probe = Options(flags);
  probe.max_matches = 1;
  probe.min_score = 0;
  const source::Finder finder(*loaded.index, *loaded.classes, probe);
  Result<std::vector<source::Match>> best = finder.Find(query);
  if (!best.ok() || best->empty()) {
    return "no candidate: no indexed document shares a shingle with the text";
  }
  const source::Match& match = best->front();
  char score[32];
  std::snprintf(score, sizeof score, "%.2f", match.alignment.score);
  return "no match: the best candidate, " + std::string(match.id) + ", scores " + score +
         " (under --min-score " + PlainNumber(flags.min_score) + ")";
}

// find: each record of the input is a query (docs/input.md); a page is
// searched for by its article. One query (a text or HTML file) is answered as
// it is; many (JSONL, WARC, or --jsonl) one after the other, with --json or
// --jsonl one {"query": id, "matches": [...]} line each, else under a
// "==> id <==" line. Exit 1 when no query matched, as grep does.
int RunFind(const FindFlags& flags) {
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, flags.index, &loaded); code != kExitOk) return code;
  const source::Finder finder(*loaded.index, *loaded.classes, Options(flags));
  CheckedOutput& out = StandardOutput();
  ReadCounts counts;
  uint64_t matched = 0;
  RecordAnswers answers;
  const std::string format = flags.jsonl && flags.format == "auto" ? "jsonl" : flags.format;
  Status read = ForEachRecord(
      flags.input, format,
      [&](Record& record) -> Status {
        const auto start = std::chrono::steady_clock::now();
        Result<std::string> query =
            record.doc.error.ok() ? ArticleText(record.doc) : Result<std::string>(record.doc.error);
        Result<std::vector<source::Match>> found =
            query.ok() ? finder.Find(*query) : Result<std::vector<source::Match>>(query.status());
        if (!found.ok()) {
          const bool index_error = found.status().code() == StatusCode::kCorruption;
          if (!record.many || index_error) {
            return answers.Stop(
                Fail(found.status(), index_error ? Origin::kModel : Origin::kInput));
          }
          return ReportSkipped(record, found.status(), &counts);
        }
        ++counts.documents;
        if (!found->empty()) ++matched;
        const bool lines = record.many || flags.jsonl;
        if (lines && (flags.json || flags.jsonl)) {
          const double ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count();
          nlohmann::ordered_json line = {{"query", record.doc.id}};
          if (flags.timing)
            line["ms"] = static_cast<double>(static_cast<int64_t>(ms * 1000)) / 1000;
          std::string prefix = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          prefix.pop_back();  // splice: {"query": id, ["ms": t,] "matches": [...]}
          out.Write(prefix + "," + source::MatchesToJson(*query, *found).substr(1) + '\n');
        } else if (flags.json) {
          out.Write(source::MatchesToJson(*query, *found) + '\n');
        } else {
          answers.Heading(record);
          if (found->empty()) {
            out.Write(NoMatchReason(loaded, flags, *query) + '\n');
          } else {
            PrintMatchesForPeople(*query, *found, out);
          }
        }
        return answers.Next();
      },
      &counts);
  return answers.ExitCode(read, counts, matched > 0 ? kExitOk : kExitNoMatch);
}

// cluster: every document of the index (or the files, indexed first) in one
// cluster, numbered from 1: the families of copies first, largest first, then
// every document that copies nothing and is copied by nothing, alone. Each
// family names its likely original: the member the model reads as least
// spun (a spinner only ever adds evidence of spinning).
int RunCluster(const FindFlags& flags) {
  if (flags.index.empty() == flags.inputs.empty()) {
    std::fprintf(stderr, "unspin: cluster takes either --index DIR or input files\n");
    return kExitUsage;
  }
  std::string dir = flags.index;
  std::filesystem::path scratch;
  if (dir.empty()) {
    // Files: index them in a scratch directory first, removed at the end.
    std::string pattern =
        (std::filesystem::temp_directory_path() / "unspin-cluster-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      return Fail(ErrnoError("cannot create a scratch directory", errno), Origin::kInput);
    scratch = pattern;
    dir = pattern;
  }
  struct RemoveScratch {
    std::filesystem::path path;
    ~RemoveScratch() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove_all(path, ignored);
    }
  } remove_scratch{scratch};
  int exit_code = kExitOk;
  if (!scratch.empty()) {
    std::unique_ptr<model::Model> model = LoadModel(flags.model, &exit_code);
    if (!model) return exit_code;
    const source::WordClasses classes(*model);
    Result<std::unique_ptr<source::IndexWriter>> writer =
        source::IndexWriter::Create(dir, classes, source::WriterOptions{});
    if (!writer.ok()) return Fail(writer.status(), Origin::kInput);
    ReadCounts counts;
    ProgressLine progress("indexed");
    for (const std::string& input : flags.inputs) {
      Status status = ForEachRecord(
          input, flags.format,
          [&](Record& record) -> Status {
            Result<source::IndexDocument> document = ToIndexDocument(&record.doc);
            Status added = document.ok() ? (*writer)->Add(std::move(*document)) : document.status();
            if (added.code() == StatusCode::kIOError) return added;
            if (!added.ok()) return ReportSkipped(record, added, &counts);
            ++counts.documents;
            progress.Update(counts.documents);
            return Status::Ok();
          },
          &counts);
      if (!status.ok()) return Fail(status, Origin::kInput);
    }
    progress.Finish();
    if (Status status = (*writer)->Commit(); !status.ok()) return Fail(status, Origin::kInput);
    if (counts.rejected > 0) exit_code = kExitBadInput;
  }
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, dir, &loaded); code != kExitOk) return code;
  ProgressLine progress("clustered");
  Result<std::vector<source::Cluster>> found =
      source::ClusterIndex(*loaded.index, *loaded.classes, Options(flags),
                           [&](size_t done, size_t total) { progress.Update(done, total); });
  progress.Finish();
  if (!found.ok()) return Fail(found.status(), Origin::kModel);
  std::vector<source::Cluster> clusters = std::move(*found);
  std::stable_sort(clusters.begin(), clusters.end(),
                   [](const source::Cluster& a, const source::Cluster& b) {
                     return a.members.size() > b.members.size();
                   });
  // Every document not in a family is a cluster of its own.
  std::set<std::pair<uint32_t, uint32_t>> in_family;
  for (const source::Cluster& cluster : clusters) {
    in_family.emplace(cluster.center.segment, cluster.center.ordinal);
    for (const auto& [member, score] : cluster.members) {
      in_family.emplace(member.segment, member.ordinal);
    }
  }
  Status visited =
      loaded.index->ForEachDocument([&](source::DocumentRef ref, const source::StoredDocument&) {
        if (in_family.count({ref.segment, ref.ordinal}) == 0) clusters.push_back({ref, {}});
      });
  if (!visited.ok()) return Fail(visited, Origin::kModel);
  const pipeline::Checker checker(*loaded.model);
  auto rounded = [](double score) {
    return static_cast<double>(static_cast<int64_t>(score * 10000 + 0.5)) / 10000;
  };
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  uint64_t families = 0;
  for (size_t i = 0; i < clusters.size(); ++i) {
    const source::Cluster& cluster = clusters[i];
    nlohmann::ordered_json entry;
    entry["cluster"] = i + 1;
    entry["center"] = loaded.index->Document(cluster.center).id;
    if (!cluster.members.empty()) {
      ++families;
      // The likely original: the least spun of the center and its members.
      std::string_view original = loaded.index->Document(cluster.center).id;
      double lowest = 2;
      auto consider = [&](source::DocumentRef ref) {
        const source::StoredDocument document = loaded.index->Document(ref);
        Result<pipeline::CheckResult> result = checker.Check(document.text);
        if (result.ok() && result->spun_probability < lowest) {
          lowest = result->spun_probability;
          original = document.id;
        }
      };
      consider(cluster.center);
      for (const auto& [member, score] : cluster.members) consider(member);
      entry["original"] = original;
    } else {
      entry["original"] = nullptr;
    }
    nlohmann::ordered_json members = nlohmann::ordered_json::array();
    for (const auto& [member, score] : cluster.members) {
      members.push_back({{"id", loaded.index->Document(member).id}, {"score", rounded(score)}});
    }
    entry["members"] = std::move(members);
    list.push_back(std::move(entry));
  }
  CheckedOutput& out = StandardOutput();
  if (flags.json) {
    nlohmann::ordered_json json = {{"documents", loaded.index->document_count()},
                                   {"families", families},
                                   {"clusters", std::move(list)}};
    out.Write(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n');
  } else {
    for (const nlohmann::ordered_json& cluster : list) {
      std::string line = std::to_string(cluster["cluster"].get<size_t>()) + "  " +
                         cluster["center"].get<std::string>();
      for (const nlohmann::ordered_json& member : cluster["members"]) {
        line += "  " + member["id"].get<std::string>() + " (" +
                PlainNumber(member["score"].get<double>()) + ")";
      }
      if (!cluster["original"].is_null()) {
        line += "  [likely original: " + cluster["original"].get<std::string>() + "]";
      }
      line += '\n';
      if (!out.Write(line)) return kExitIO;
    }
    out.Printf("%llu %s of copies and %llu single documents among %llu documents\n",
               static_cast<unsigned long long>(families), families == 1 ? "family" : "families",
               static_cast<unsigned long long>(clusters.size() - families),
               static_cast<unsigned long long>(loaded.index->document_count()));
  }
  return exit_code;
}

void AddCommonOptions(CLI::App* command, const std::shared_ptr<FindFlags>& flags) {
  command->add_option("--model", flags->model, "model file the index was built with");
  command
      ->add_option("--min-score", flags->min_score,
                   "report matches at this alignment score or above")
      ->capture_default_str()
      ->check(FiniteRange(0.0, 1.0));
  command->add_flag("--json", flags->json, "print JSON");
  AddInputFormatOption(command, &flags->format);
}

}  // namespace

void RegisterFind(CLI::App& app, Action* action) {
  auto flags = std::make_shared<FindFlags>();
  CLI::App* find = app.add_subcommand(
      "find", "Name the indexed documents a text copies, with the aligned evidence");
  find->add_option("input", flags->input,
                   "queries: a text or HTML file, JSONL or WARC (one query per record), or - "
                   "for standard input")
      ->capture_default_str();
  find->add_option("--index", flags->index, "index directory (from `unspin index build`)")
      ->required();
  find->add_option("-k", flags->max_matches,
                   "report every document scoring --min-score or more, best first, up to this "
                   "many")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  find->add_option("--candidates", flags->candidates,
                   "candidates from the shingle index verified by alignment (more: slower, "
                   "finds weaker copies)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  find->add_flag("--timing", flags->timing,
                 "with --jsonl: add \"ms\", the query's time in milliseconds (from reading its "
                 "text to its matches)");
  find->add_flag("--jsonl", flags->jsonl,
                 "input is JSONL queries {\"id\"|\"url\", \"text\"|\"html\"}; print one line "
                 "per query {\"query\", \"matches\"} in input order");
  AddCommonOptions(find, flags);
  find->callback([flags, action] { *action = [flags] { return RunFind(*flags); }; });
}

void RegisterCluster(CLI::App& app, Action* action) {
  auto flags = std::make_shared<FindFlags>();
  CLI::App* cluster = app.add_subcommand(
      "cluster",
      "Group documents into families of copies (every member aligned to its family's center)");
  cluster->add_option("inputs", flags->inputs,
                      "JSONL, WARC, text or HTML files to cluster (instead of --index)");
  cluster->add_option("--index", flags->index, "cluster the documents of this index");
  AddCommonOptions(cluster, flags);
  cluster->callback([flags, action] { *action = [flags] { return RunCluster(*flags); }; });
}

}  // namespace unspin::cli
