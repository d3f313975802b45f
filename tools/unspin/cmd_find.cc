// unspin find: the indexed documents a text copies, with aligned evidence.
// unspin cluster: families of copies in an index or a set of files.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "documents.h"
#include "unspin/base/file.h"
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
};

source::FindOptions Options(const FindFlags& flags) {
  source::FindOptions options;
  options.max_matches = flags.max_matches;
  options.candidates = std::max(flags.candidates, flags.max_matches);
  options.min_score = flags.min_score;
  return options;
}

void PrintMatchesForPeople(std::string_view query, const std::vector<source::Match>& matches,
                           double min_score, CheckedOutput& out) {
  if (matches.empty()) {
    out.Printf("no match: no indexed document scores %.2f or more\n", min_score);
    return;
  }
  constexpr size_t kShown = 8;
  for (const source::Match& match : matches) {
    out.Printf("%.*s  score %.2f  coverage %.2f\n", static_cast<int>(match.id.size()),
               match.id.data(), match.alignment.score, match.alignment.coverage);
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

int RunFind(const FindFlags& flags) {
  LoadedIndex loaded;
  if (int code = LoadIndex(flags.model, flags.index, &loaded); code != kExitOk) return code;
  const source::Finder finder(*loaded.index, *loaded.classes, Options(flags));
  CheckedOutput& out = StandardOutput();
  if (flags.jsonl) {
    ReadCounts counts;
    Status index_error = Status::Ok();
    Status status = ReadDocuments(
        flags.input,
        [&](source::IndexDocument query, uint64_t) -> Status {
          // After a failed write (reported) the queries left are read, not searched:
          // ReadDocuments has no way to stop early.
          if (!out.ok()) return Status::Ok();
          const auto start = std::chrono::steady_clock::now();
          Result<std::vector<source::Match>> found = finder.Find(query.text);
          if (!found.ok() && found.status().code() == StatusCode::kCorruption) {
            index_error = found.status();
          }
          UNSPIN_ASSIGN_OR_RETURN(std::vector<source::Match> matches, std::move(found));
          const double ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count();
          std::string matches_json = source::MatchesToJson(query.text, matches);
          nlohmann::ordered_json line = {{"query", query.id}};
          if (flags.timing)
            line["ms"] = static_cast<double>(static_cast<int64_t>(ms * 1000)) / 1000;
          std::string prefix = line.dump();
          prefix.pop_back();  // splice: {"query": id, ["ms": t,] "matches": [...]}
          out.Write(prefix + "," + matches_json.substr(1) + '\n');
          return Status::Ok();
        },
        &counts);
    if (!out.ok()) return kExitIO;
    if (!index_error.ok()) return Fail(index_error, Origin::kModel);
    if (!status.ok()) return Fail(status, Origin::kInput);
    return counts.rejected > 0 ? kExitBadInput : kExitOk;
  }
  Result<std::string> query = ReadFileOrStdin(flags.input, kMaxTextInputBytes);
  if (!query.ok()) return Fail(query.status(), Origin::kInput);
  Result<std::vector<source::Match>> matches = finder.Find(*query);
  if (!matches.ok()) {
    return Fail(matches.status(), matches.status().code() == StatusCode::kCorruption
                                      ? Origin::kModel
                                      : Origin::kInput);
  }
  if (flags.json) {
    out.Write(source::MatchesToJson(*query, *matches) + '\n');
  } else {
    PrintMatchesForPeople(*query, *matches, flags.min_score, out);
  }
  return kExitOk;
}

// A score as iostream prints a double by default (%g: at most 6 significant digits).
std::string ShortNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

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
    for (const std::string& input : flags.inputs) {
      Status status = ReadDocuments(
          input,
          [&](source::IndexDocument document, uint64_t) {
            return (*writer)->Add(std::move(document));
          },
          &counts);
      if (!status.ok()) return Fail(status, Origin::kInput);
    }
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
  const std::vector<source::Cluster>& clusters = *found;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const source::Cluster& cluster : clusters) {
    nlohmann::ordered_json members = nlohmann::ordered_json::array();
    for (const auto& [member, score] : cluster.members) {
      members.push_back(
          {{"id", loaded.index->Document(member).id},
           {"score", static_cast<double>(static_cast<int64_t>(score * 10000 + 0.5)) / 10000}});
    }
    list.push_back(
        {{"center", loaded.index->Document(cluster.center).id}, {"members", std::move(members)}});
  }
  CheckedOutput& out = StandardOutput();
  if (flags.json) {
    nlohmann::ordered_json json = {{"documents", loaded.index->document_count()},
                                   {"clusters", std::move(list)}};
    out.Write(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n');
  } else {
    for (const nlohmann::ordered_json& cluster : list) {
      std::string line = cluster["center"].get<std::string>();
      for (const nlohmann::ordered_json& member : cluster["members"]) {
        line += "  " + member["id"].get<std::string>() + " (" +
                ShortNumber(member["score"].get<double>()) + ")";
      }
      line += '\n';
      if (!out.Write(line)) return kExitIO;
    }
    out.Printf("%zu %s of copies among %llu documents\n", clusters.size(),
               clusters.size() == 1 ? "family" : "families",
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
}

}  // namespace

void RegisterFind(CLI::App& app, Action* action) {
  auto flags = std::make_shared<FindFlags>();
  CLI::App* find = app.add_subcommand(
      "find", "Name the indexed documents a text copies, with the aligned evidence");
  find->add_option("input", flags->input, "query text file, or - for standard input")
      ->capture_default_str();
  find->add_option("--index", flags->index, "index directory (from `unspin index build`)")
      ->required();
  find->add_option("-k", flags->max_matches, "matches to report at most")
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
                 "input is JSONL queries {\"id\", \"text\"}; print one line per query "
                 "{\"query\", \"matches\"} in input order");
  AddCommonOptions(find, flags);
  find->callback([flags, action] { *action = [flags] { return RunFind(*flags); }; });
}

void RegisterCluster(CLI::App& app, Action* action) {
  auto flags = std::make_shared<FindFlags>();
  CLI::App* cluster = app.add_subcommand(
      "cluster",
      "Group documents into families of copies (every member aligned to its family's center)");
  cluster->add_option("inputs", flags->inputs,
                      "JSONL or text files to cluster (instead of --index)");
  cluster->add_option("--index", flags->index, "cluster the documents of this index");
  AddCommonOptions(cluster, flags);
  cluster->callback([flags, action] { *action = [flags] { return RunCluster(*flags); }; });
}

}  // namespace unspin::cli
