// Document pairing and channel learning for `unspin channel learn`.
#include "unspin/pipeline/channel_learn.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "unspin/base/file.h"
#include "unspin/base/json_depth.h"
#include "unspin/text/utf8.h"

namespace unspin::pipeline {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool LooksLikeJsonl(const std::vector<std::string_view>& lines) {
  for (std::string_view line : lines) {
    if (IsBlank(line)) continue;
    // Too deep to parse: JSON lines whose first line ParseDocument reports.
    if (!CheckJsonDepth(line).ok()) return true;
    nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    return value.is_object() && value.contains("text") && value["text"].is_string();
  }
  return false;
}

Status LineError(std::string_view file, size_t line, std::string_view what) {
  return InvalidArgumentError(std::string(file) + " line " + std::to_string(line) + ": " +
                              std::string(what));
}

// Parses one {"id", "text"} line into *id and *text.
Status ParseDocument(std::string_view line, std::string_view file, size_t number, std::string* id,
                     std::string* text) {
  Status utf8 = text::ValidateUtf8(line);
  if (!utf8.ok()) return LineError(file, number, utf8.message());
  if (Status depth = CheckJsonDepth(line); !depth.ok()) {
    return LineError(file, number, depth.message());
  }
  nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return LineError(file, number, "not a JSON object");
  auto found_id = value.find("id");
  if (found_id == value.end()) return LineError(file, number, "missing \"id\"");
  if (found_id->is_string()) {
    *id = found_id->get<std::string>();
  } else if (found_id->is_number_integer()) {
    *id = found_id->dump();
  } else {
    return LineError(file, number, "\"id\" must be a string or an integer");
  }
  auto found_text = value.find("text");
  if (found_text == value.end() || !found_text->is_string()) {
    return LineError(file, number, "missing or non-string \"text\"");
  }
  *text = found_text->get<std::string>();
  return Status::Ok();
}

}  // namespace

Result<std::vector<EvalPair>> ReadDocumentPairs(std::string_view originals, std::string_view copies,
                                                uint64_t* unmatched) {
  if (unmatched != nullptr) *unmatched = 0;
  std::vector<std::string_view> a = Lines(originals), b = Lines(copies);
  std::vector<EvalPair> pairs;
  if (LooksLikeJsonl(a) && LooksLikeJsonl(b)) {
    std::map<std::string, std::string> by_id;
    for (size_t k = 0; k < a.size(); ++k) {
      if (IsBlank(a[k])) continue;
      std::string id, text;
      UNSPIN_RETURN_IF_ERROR(ParseDocument(a[k], "originals", k + 1, &id, &text));
      if (!by_id.emplace(id, std::move(text)).second) {
        return LineError("originals", k + 1, "duplicate id " + id);
      }
    }
    for (size_t k = 0; k < b.size(); ++k) {
      if (IsBlank(b[k])) continue;
      std::string id, text;
      UNSPIN_RETURN_IF_ERROR(ParseDocument(b[k], "copies", k + 1, &id, &text));
      auto original = by_id.find(id);
      if (original == by_id.end()) {
        if (unmatched != nullptr) ++*unmatched;
        continue;
      }
      pairs.push_back({id, original->second, std::move(text)});
    }
    return pairs;
  }
  if (a.size() != b.size()) {
    return InvalidArgumentError("originals have " + std::to_string(a.size()) +
                                " lines but copies have " + std::to_string(b.size()) +
                                "; plain-text inputs are paired by line");
  }
  for (size_t k = 0; k < a.size(); ++k) {
    if (IsBlank(a[k]) && IsBlank(b[k])) continue;
    Status utf8 = text::ValidateUtf8(a[k]);
    if (!utf8.ok()) return LineError("originals", k + 1, utf8.message());
    utf8 = text::ValidateUtf8(b[k]);
    if (!utf8.ok()) return LineError("copies", k + 1, utf8.message());
    pairs.push_back({std::to_string(k + 1), std::string(a[k]), std::string(b[k])});
  }
  return pairs;
}

namespace {

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

// The phrase without its notes in parentheses, spaces collapsed.
std::string WithoutNotes(std::string_view field) {
  std::string kept;
  int depth = 0;
  for (char c : field) {
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      kept.push_back(c);
    }
  }
  std::string phrase;
  for (size_t i = 0; i < kept.size();) {
    size_t begin = kept.find_first_not_of(" \t", i);
    if (begin == std::string::npos) break;
    size_t end = kept.find_first_of(" \t", begin);
    if (end == std::string::npos) end = kept.size();
    if (!phrase.empty()) phrase.push_back(' ');
    phrase.append(kept, begin, end - begin);
    i = end;
  }
  return phrase;
}

bool IsHeaderName(std::string_view field) {
  std::string lower;
  for (char c : field) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return lower == "expected" || lower == "original";
}

}  // namespace

Result<std::vector<EvalPair>> ReadPhraseList(std::string_view tsv) {
  std::vector<EvalPair> pairs;
  std::vector<std::string_view> lines = Lines(tsv);
  for (size_t k = 0; k < lines.size(); ++k) {
    std::string_view line = lines[k];
    if (IsBlank(line) || line.front() == '#') continue;
    Status utf8 = text::ValidateUtf8(line);
    if (!utf8.ok()) return LineError("phrase list", k + 1, utf8.message());
    std::vector<std::string_view> fields = SplitTabs(line);
    if (fields.size() < 2) {
      return LineError("phrase list", k + 1,
                       "expected a phrase, a tab and the phrase it stands for");
    }
    if (k == 0 && IsHeaderName(WithoutNotes(fields[1]))) continue;
    std::string spun = WithoutNotes(fields[0]), original = WithoutNotes(fields[1]);
    if (spun.empty() || original.empty()) return LineError("phrase list", k + 1, "empty phrase");
    pairs.push_back({std::to_string(k + 1), std::move(original), std::move(spun)});
  }
  return pairs;
}

Result<ChannelLearnReport> LearnChannel(std::span<const EvalPair> pairs,
                                        const std::string& out_path,
                                        const ChannelLearnOptions& options) {
  channel::ChannelLearner learner;
  for (const EvalPair& pair : pairs) learner.AddPair(pair.original, pair.spun, options.kind);
  ChannelLearnReport report;
  report.stats = learner.stats();
  channel::ChannelTableBuilder table = learner.Finish();
  report.rows_pruned = table.Prune(options.min_count);
  report.distinct_substitutions = table.substitution_count();
  report.table_rows = table.rows().size();
  UNSPIN_RETURN_IF_ERROR(WriteChannelTable(table.ToTsv(), out_path));
  return report;
}

Status WriteChannelTable(std::string_view tsv, const std::string& out_path) {
  if (out_path == "-") {
    if (std::fwrite(tsv.data(), 1, tsv.size(), stdout) != tsv.size() || std::fflush(stdout) != 0) {
      return IOError("writing the channel table to standard output failed");
    }
    return Status::Ok();
  }
  AtomicFileWriter writer;
  UNSPIN_RETURN_IF_ERROR(writer.Open(out_path));
  UNSPIN_RETURN_IF_ERROR(writer.Append(tsv));
  return writer.Commit();
}

}  // namespace unspin::pipeline
