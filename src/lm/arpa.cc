// ARPA text writer and reader. The reader walks the text line by line with a
// 1-based line counter that every error message carries.
#include "unspin/lm/arpa.h"

#include <charconv>
#include <cstdio>
#include <string>

#include "unspin/base/check.h"
#include "unspin/base/file.h"

namespace unspin::lm {
namespace {

void AppendFloat(float value, std::string* out) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  UNSPIN_CHECK(error == std::errc());
  out->append(buffer, end);
}

// Appends the "\data\" block and the n-grams of order n from `first` on,
// calling `flush` whenever *out grows past `flush_bytes`.
template <typename Flush>
Status AppendArpaChunked(const BackoffLm& lm, const VocabularyBuilder& vocabulary, std::string* out,
                         size_t flush_bytes, Flush flush) {
  out->append("\\data\\\n");
  for (int n = 1; n <= lm.order; ++n) {
    out->append("ngram " + std::to_string(n) + "=" + std::to_string(lm.ngrams[n - 1].size()) +
                "\n");
  }
  for (int n = 1; n <= lm.order; ++n) {
    out->append("\n\\").append(std::to_string(n)).append("-grams:\n");
    for (const BackoffNgram& gram : lm.ngrams[n - 1]) {
      AppendFloat(gram.log10_prob, out);
      for (int i = 0; i < n; ++i) {
        UNSPIN_CHECK(ToIndex(gram.words[i]) < vocabulary.size());
        out->push_back(i == 0 ? '\t' : ' ');
        out->append(vocabulary.Word(gram.words[i]));
      }
      if (n < lm.order) {
        out->push_back('\t');
        AppendFloat(gram.log10_backoff, out);
      }
      out->push_back('\n');
      if (out->size() >= flush_bytes) UNSPIN_RETURN_IF_ERROR(flush());
    }
  }
  out->append("\n\\end\\\n");
  return flush();
}

// Splits on spaces and tabs.
size_t SplitFields(std::string_view line, std::string_view* fields, size_t max_fields) {
  size_t count = 0, pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    if (pos == line.size()) break;
    size_t end = pos;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    if (count == max_fields) return max_fields + 1;
    fields[count++] = line.substr(pos, end - pos);
    pos = end;
  }
  return count;
}

bool ParseFloat(std::string_view text, float* value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseCount(std::string_view text, uint64_t* value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string_view Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end + 1 - begin);
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // The next line without its '\n' (and '\r'); false at the end.
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    *line = text_.substr(pos_, end - pos_);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  // The next non-blank line.
  bool NextNonBlank(std::string_view* line) {
    while (Next(line)) {
      if (!IsBlank(*line)) return true;
    }
    return false;
  }
  uint64_t number() const { return number_; }

  Status Error(const std::string& message) const {
    return CorruptionError("ARPA line " + std::to_string(number_) + ": " + message);
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint64_t number_ = 0;
};

}  // namespace

void AppendArpa(const BackoffLm& lm, const VocabularyBuilder& vocabulary, std::string* out) {
  Status status =
      AppendArpaChunked(lm, vocabulary, out, std::string::npos, [] { return Status::Ok(); });
  UNSPIN_CHECK(status.ok());
}

Status WriteArpa(const BackoffLm& lm, const VocabularyBuilder& vocabulary,
                 const std::string& path) {
  AtomicFileWriter file;
  UNSPIN_RETURN_IF_ERROR(file.Open(path));
  std::string buffer;
  constexpr size_t kFlushBytes = size_t{1} << 20;
  UNSPIN_RETURN_IF_ERROR(AppendArpaChunked(lm, vocabulary, &buffer, kFlushBytes, [&] {
    Status status = file.Append(buffer);
    buffer.clear();
    return status;
  }));
  return file.Commit();
}

Result<BackoffLm> ReadArpa(std::string_view text, VocabularyBuilder* vocabulary) {
  LineReader reader(text);
  std::string_view line;
  // Anything before \data\ is a comment.
  bool found_data = false;
  while (reader.Next(&line)) {
    if (line == "\\data\\") {
      found_data = true;
      break;
    }
  }
  if (!found_data) return reader.Error("no \\data\\ line: not an ARPA language model");

  BackoffLm lm;
  std::array<uint64_t, kMaxOrder> counts{};
  while (true) {
    if (!reader.NextNonBlank(&line)) return reader.Error("unexpected end of text in \\data\\");
    if (!line.starts_with("ngram ") && !line.starts_with("ngram\t")) break;
    // "ngram N=COUNT", spaces allowed around both numbers (IRSTLM aligns them).
    std::string_view spec = line.substr(6);
    size_t equals = spec.find('=');
    uint64_t n = 0, count = 0;
    if (equals == std::string_view::npos || !ParseCount(Trim(spec.substr(0, equals)), &n) ||
        !ParseCount(Trim(spec.substr(equals + 1)), &count)) {
      return reader.Error("expected \"ngram N=COUNT\", got \"" + std::string(line) + "\"");
    }
    if (n != static_cast<uint64_t>(lm.order) + 1 || n > kMaxOrder) {
      return reader.Error("expected the count of order " + std::to_string(lm.order + 1) +
                          " (orders 1.." + std::to_string(kMaxOrder) + " in sequence), got " +
                          std::to_string(n));
    }
    counts[n - 1] = count;
    lm.order = static_cast<int>(n);
  }
  if (lm.order == 0) return reader.Error("no \"ngram N=COUNT\" lines after \\data\\");

  std::array<std::string_view, kMaxOrder + 2> fields;
  for (int n = 1; n <= lm.order; ++n) {
    std::string header = "\\";
    header.append(std::to_string(n)).append("-grams:");
    if (line != header) {
      return reader.Error("expected \"" + header + "\", got \"" + std::string(line) + "\"");
    }
    std::vector<BackoffNgram>& grams = lm.ngrams[n - 1];
    grams.reserve(counts[n - 1]);
    for (uint64_t i = 0; i < counts[n - 1]; ++i) {
      if (!reader.Next(&line)) return reader.Error("the text ends inside " + header);
      size_t field_count = SplitFields(line, fields.data(), fields.size());
      bool backoff_allowed = n < lm.order;
      if (field_count < static_cast<size_t>(n) + 1 ||
          field_count > static_cast<size_t>(n) + (backoff_allowed ? 2 : 1)) {
        return reader.Error(std::to_string(n) + "-gram section holds " +
                            std::to_string(counts[n - 1]) + " lines of \"log10_prob " +
                            std::to_string(n) + " word(s)" + (backoff_allowed ? " [backoff]" : "") +
                            "\"; got \"" + std::string(line) + "\"");
      }
      BackoffNgram gram;
      if (!ParseFloat(fields[0], &gram.log10_prob)) {
        return reader.Error("bad probability \"" + std::string(fields[0]) + "\"");
      }
      for (int w = 0; w < n; ++w) gram.words[w] = vocabulary->Intern(fields[1 + w]);
      if (field_count == static_cast<size_t>(n) + 2 &&
          !ParseFloat(fields[n + 1], &gram.log10_backoff)) {
        return reader.Error("bad back-off weight \"" + std::string(fields[n + 1]) + "\"");
      }
      grams.push_back(gram);
    }
    if (!reader.NextNonBlank(&line)) return reader.Error("the text ends before \\end\\");
  }
  if (line != "\\end\\") {
    return reader.Error("expected \\end\\ after " + std::to_string(counts[lm.order - 1]) + " " +
                        std::to_string(lm.order) + "-grams, got \"" + std::string(line) + "\"");
  }
  return lm;
}

}  // namespace unspin::lm
