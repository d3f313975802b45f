// xapian_peer: the Xapian side of issue #5's source-finding comparison
// (bench/find_vs_xapian.sh). Indexes a JSONL archive the way a Xapian user
// would and queries it with the whole text of each query document.
//
//   xapian_peer index --db DIR DOCS.jsonl
//   xapian_peer query --db DIR [-k 10] [--truth TRUTH.tsv] [--out RESULTS.jsonl] QUERIES.jsonl
//
// Input lines are {"id": str, "text": str, ...}. Indexing: one Xapian document
// per line, TermGenerator with the English stemmer and its default strategy
// (STEM_SOME: unstemmed terms with positions plus Z-prefixed stems), the id as
// document data; one commit at the end, into an on-disk (glass) database.
// Querying: the query text goes through the same TermGenerator into a scratch
// document, and every term it produces becomes one leaf of an OP_OR query
// with its within-document frequency as wqf; BM25Weight with its defaults
// ranks the top k. The per-query time covers term generation, query
// construction and get_mset.
//
// Both verbs print `key<TAB>value` lines to standard output (docs_per_second,
// db_bytes, p50_ms, p95_ms, recall_at_1, ...). `query --out` writes one line
// per query, in input order, shaped like `unspin find --jsonl`:
//   {"query": id, "matches": [{"id": str, "score": float}], "ms": float}
// TRUTH.tsv lines are `query_id<TAB>doc_id[<TAB>...]`; recall is measured over
// the queries it names.
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "CLI/CLI.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Calls `fn(id, text)` for every line of a JSONL file; false on a bad line.
template <typename Fn>
bool ForEachJsonLine(const std::string& path, Fn fn) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "xapian_peer: cannot open %s\n", path.c_str());
    return false;
  }
  std::string line;
  uint64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object() || !record.contains("id") || !record["id"].is_string() ||
        !record.contains("text") || !record["text"].is_string()) {
      std::fprintf(stderr, "xapian_peer: %s:%llu: expected {\"id\": str, \"text\": str}\n",
                   path.c_str(), static_cast<unsigned long long>(line_number));
      return false;
    }
    fn(record["id"].get<std::string>(), record["text"].get<std::string>());
  }
  return true;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

Xapian::TermGenerator MakeTermGenerator() {
  Xapian::TermGenerator generator;
  generator.set_stemmer(Xapian::Stem("english"));
  return generator;
}

int RunIndex(const std::string& db_dir, const std::string& docs_path) {
  Clock::time_point start = Clock::now();
  Xapian::WritableDatabase db(db_dir, Xapian::DB_CREATE_OR_OVERWRITE);
  Xapian::TermGenerator generator = MakeTermGenerator();
  uint64_t docs = 0;
  uint64_t text_bytes = 0;
  bool ok = ForEachJsonLine(docs_path, [&](const std::string& id, const std::string& text) {
    Xapian::Document doc;
    doc.set_data(id);
    generator.set_document(doc);
    generator.index_text(text);
    db.add_document(doc);
    ++docs;
    text_bytes += text.size();
  });
  if (!ok) return 1;
  db.commit();
  db.close();
  double seconds = SecondsSince(start);
  uint64_t db_bytes = DirectoryBytes(db_dir);
  std::printf("docs\t%llu\n", static_cast<unsigned long long>(docs));
  std::printf("text_bytes\t%llu\n", static_cast<unsigned long long>(text_bytes));
  std::printf("index_seconds\t%.3f\n", seconds);
  std::printf("docs_per_second\t%.1f\n", static_cast<double>(docs) / seconds);
  std::printf("db_bytes\t%llu\n", static_cast<unsigned long long>(db_bytes));
  std::printf("db_bytes_per_doc\t%.1f\n",
              docs == 0 ? 0.0 : static_cast<double>(db_bytes) / static_cast<double>(docs));
  return 0;
}

// The OR of the terms TermGenerator produces for `text`, each weighted by its wdf.
// mode "all": every term; "stems": the Z-prefixed stems, plus the unstemmed
// terms that have no stem in the query (capitalised words), as QueryParser
// with STEM_SOME would search them; "queryparser": QueryParser itself, OR as
// the default operator, no syntax flags.
Xapian::Query WholeTextQuery(Xapian::TermGenerator& generator, const std::string& mode,
                             const std::string& text) {
  if (mode == "queryparser") {
    Xapian::QueryParser parser;
    parser.set_stemmer(Xapian::Stem("english"));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(Xapian::Query::OP_OR);
    return parser.parse_query(text, 0);
  }
  Xapian::Document scratch;
  generator.set_document(scratch);
  generator.index_text(text);
  std::vector<Xapian::Query> leaves;
  Xapian::Stem stemmer("english");
  for (Xapian::TermIterator it = scratch.termlist_begin(); it != scratch.termlist_end(); ++it) {
    const std::string& term = *it;
    if (mode == "stems" && term[0] != 'Z') {
      Xapian::TermIterator stem = scratch.termlist_begin();
      stem.skip_to("Z" + stemmer(term));
      if (stem != scratch.termlist_end() && *stem == "Z" + stemmer(term)) continue;
    }
    leaves.emplace_back(term, it.get_wdf());
  }
  return Xapian::Query(Xapian::Query::OP_OR, leaves.begin(), leaves.end());
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

struct QueryFlags {
  std::string db;
  std::string queries;
  std::string truth;
  std::string out;
  std::string terms = "all";
  unsigned k = 10;
};

int RunQuery(const QueryFlags& flags) {
  std::unordered_map<std::string, std::string> truth;
  if (!flags.truth.empty()) {
    std::ifstream in(flags.truth);
    if (!in) {
      std::fprintf(stderr, "xapian_peer: cannot open %s\n", flags.truth.c_str());
      return 1;
    }
    std::string line;
    while (std::getline(in, line)) {
      size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      size_t end = line.find('\t', tab + 1);
      truth[line.substr(0, tab)] =
          line.substr(tab + 1, end == std::string::npos ? std::string::npos : end - tab - 1);
    }
  }
  std::ofstream out;
  if (!flags.out.empty()) {
    out.open(flags.out);
    if (!out) {
      std::fprintf(stderr, "xapian_peer: cannot write %s\n", flags.out.c_str());
      return 1;
    }
  }

  Xapian::Database db(flags.db);
  Xapian::Enquire enquire(db);
  enquire.set_weighting_scheme(Xapian::BM25Weight());
  Xapian::TermGenerator generator = MakeTermGenerator();
  std::vector<double> latencies_ms;
  std::vector<double> top_scores;
  uint64_t judged = 0;
  uint64_t hits_at_1 = 0;
  uint64_t hits_at_k = 0;
  Clock::time_point all_start = Clock::now();
  bool ok = ForEachJsonLine(flags.queries, [&](const std::string& id, const std::string& text) {
    Clock::time_point start = Clock::now();
    enquire.set_query(WholeTextQuery(generator, flags.terms, text));
    Xapian::MSet mset = enquire.get_mset(0, flags.k);
    std::vector<std::pair<std::string, double>> matches;
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
      matches.emplace_back(it.get_document().get_data(), it.get_weight());
    }
    double ms = 1000.0 * SecondsSince(start);
    latencies_ms.push_back(ms);
    top_scores.push_back(matches.empty() ? 0.0 : matches.front().second);

    auto expected = truth.find(id);
    if (expected != truth.end() && !expected->second.empty()) {
      ++judged;
      for (size_t rank = 0; rank < matches.size(); ++rank) {
        if (matches[rank].first != expected->second) continue;
        if (rank == 0) ++hits_at_1;
        ++hits_at_k;
        break;
      }
    }
    if (out.is_open()) {
      nlohmann::json line = {{"query", id}, {"matches", nlohmann::json::array()}, {"ms", ms}};
      for (const auto& [doc_id, score] : matches) {
        line["matches"].push_back({{"id", doc_id}, {"score", score}});
      }
      out << line.dump() << '\n';
    }
  });
  if (!ok) return 1;
  double total_seconds = SecondsSince(all_start);

  double mean_top = 0.0;
  for (double score : top_scores) mean_top += score;
  if (!top_scores.empty()) mean_top /= static_cast<double>(top_scores.size());
  std::printf("queries\t%zu\n", latencies_ms.size());
  std::printf("total_seconds\t%.3f\n", total_seconds);
  std::printf("p50_ms\t%.2f\n", Percentile(latencies_ms, 0.50));
  std::printf("p95_ms\t%.2f\n", Percentile(latencies_ms, 0.95));
  std::printf("max_ms\t%.2f\n", Percentile(latencies_ms, 1.0));
  std::printf("top_score_p50\t%.3f\n", Percentile(top_scores, 0.50));
  std::printf("top_score_min\t%.3f\n", Percentile(top_scores, 0.0));
  std::printf("top_score_max\t%.3f\n", Percentile(top_scores, 1.0));
  std::printf("top_score_mean\t%.3f\n", mean_top);
  if (judged > 0) {
    std::printf("judged\t%llu\n", static_cast<unsigned long long>(judged));
    std::printf("recall_at_1\t%.4f\n",
                static_cast<double>(hits_at_1) / static_cast<double>(judged));
    std::printf("recall_at_%u\t%.4f\n", flags.k,
                static_cast<double>(hits_at_k) / static_cast<double>(judged));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Xapian BM25 peer for `unspin find` (issue #5)"};
  app.require_subcommand(1);

  std::string index_db;
  std::string docs_path;
  CLI::App* index = app.add_subcommand("index", "index a JSONL archive into a Xapian database");
  index->add_option("--db", index_db, "database directory (overwritten)")->required();
  index->add_option("docs", docs_path, "JSONL, one {\"id\", \"text\"} per line")->required();

  QueryFlags query_flags;
  CLI::App* query = app.add_subcommand("query", "query with the whole text of each line");
  query->add_option("--db", query_flags.db, "database directory")->required();
  query->add_option("-k", query_flags.k, "matches per query")->capture_default_str();
  query->add_option("--truth", query_flags.truth, "TSV: query id, source doc id");
  query->add_option("--out", query_flags.out, "per-query JSONL results");
  query->add_option("--terms", query_flags.terms, "query terms: all, stems or queryparser")
      ->check(CLI::IsMember({"all", "stems", "queryparser"}))
      ->capture_default_str();
  query->add_option("queries", query_flags.queries, "JSONL, one {\"id\", \"text\"} per line")
      ->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (index->parsed()) return RunIndex(index_db, docs_path);
    return RunQuery(query_flags);
  } catch (const Xapian::Error& e) {
    std::fprintf(stderr, "xapian_peer: %s\n", e.get_description().c_str());
    return 1;
  }
}
