// unspin lm build / score / tokenize / convert: train a Kneser-Ney language
// model on a text archive, measure one on held-out text, print the token
// stream a model is trained on (to train peers on the same tokens), and turn
// an ARPA file into an unspin language model file.
//
// Inputs are files, directories (every regular file below, in sorted path
// order) or "-" for stdin. A file whose name ends in ".jsonl" holds one JSON
// object per line with the text in "text"; any other file is plain text, read
// in paragraphs (blank-line separated). Lines that are not valid UTF-8, and
// JSONL lines that are not an object with a string "text", are skipped and
// counted. Text is tokenised with text::Tokenize, each token becomes its
// lookup key (lower-cased, text::AppendLookupKey; punctuation stays a token),
// and each text::Sentence is one LM sentence. With --lines, each line of a
// plain-text input is one sentence of whitespace-separated tokens (each still
// lower-cased to its lookup key), so a pre-tokenised stream is used as is.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/base/json_depth.h"
#include "unspin/lm/arpa.h"
#include "unspin/lm/kneser_ney.h"
#include "unspin/lm/lm_file.h"
#include "unspin/text/normalize.h"
#include "unspin/text/tokenize.h"
#include "unspin/text/utf8.h"

namespace unspin::cli {
namespace {

namespace fs = std::filesystem;

struct LmFlags {
  int order = 4;
  bool prune = false;
  std::string memory = "25%";
  bool lines = false;
  std::string temp_dir;
  std::string output;
  std::string arpa;
  std::string lm;
  std::string arpa_input;
  std::vector<std::string> inputs;
};

struct ReadStats {
  uint64_t files = 0;
  uint64_t invalid_utf8_lines = 0;
  uint64_t bad_jsonl_lines = 0;
};

// Calls `sentence(keys)` for each sentence of each text in `inputs`, in
// order; `keys` are the tokens' lookup keys.
class CorpusReader {
 public:
  using SentenceFn = std::function<Status(const std::vector<std::string_view>&)>;

  // `lines`: every input line is one sentence of whitespace-separated tokens
  // (pre-tokenised text, e.g. to train on exactly a peer's token stream).
  CorpusReader(SentenceFn sentence, ReadStats* stats, bool lines = false)
      : sentence_(std::move(sentence)), stats_(stats), lines_(lines) {}

  Status ReadAll(const std::vector<std::string>& inputs) {
    for (const std::string& input : inputs) {
      if (input == "-") {
        UNSPIN_RETURN_IF_ERROR(ReadStream(std::cin, "-", /*jsonl=*/false));
        continue;
      }
      std::error_code error;
      if (fs::is_directory(input, error)) {
        std::vector<fs::path> files;
        for (auto it = fs::recursive_directory_iterator(input, error);
             !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
          if (it->is_regular_file(error)) files.push_back(it->path());
        }
        if (error) return IOError(input + ": cannot list the directory: " + error.message());
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files) UNSPIN_RETURN_IF_ERROR(ReadFile(file.string()));
      } else {
        UNSPIN_RETURN_IF_ERROR(ReadFile(input));
      }
    }
    return Status::Ok();
  }

 private:
  Status ReadFile(const std::string& path) {
    std::error_code error;
    if (!fs::exists(path, error)) return NotFoundError(path + ": no such file or directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) return IOError(path + ": cannot open");
    return ReadStream(in, path, path.ends_with(".jsonl"));
  }

  Status ReadStream(std::istream& in, const std::string& name, bool jsonl) {
    ++stats_->files;
    std::string line, paragraph;
    while (std::getline(in, line)) {
      if (!text::ValidateUtf8(line).ok()) {
        ++stats_->invalid_utf8_lines;
        continue;
      }
      if (jsonl) {
        if (!CheckJsonDepth(line).ok()) {
          ++stats_->bad_jsonl_lines;
          continue;
        }
        nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (json.is_discarded() || !json.is_object() || !json.contains("text") ||
            !json["text"].is_string()) {
          if (!line.empty()) ++stats_->bad_jsonl_lines;
          continue;
        }
        UNSPIN_RETURN_IF_ERROR(Text(json["text"].get_ref<const std::string&>()));
        continue;
      }
      if (lines_) {
        UNSPIN_RETURN_IF_ERROR(Line(line));
        continue;
      }
      if (line.find_first_not_of(" \t\r") == std::string::npos || paragraph.size() > (1u << 24)) {
        UNSPIN_RETURN_IF_ERROR(Text(paragraph));
        paragraph.clear();
        continue;
      }
      paragraph.append(line).push_back('\n');
    }
    if (in.bad()) return IOError(name + ": read error");
    return Text(paragraph);
  }

  Status Line(std::string_view line) {
    keys_buffer_.clear();
    offsets_.clear();
    for (size_t at = 0; at < line.size();) {
      size_t begin = line.find_first_not_of(" \t\r", at);
      if (begin == std::string_view::npos) break;
      size_t end = std::min(line.find_first_of(" \t\r", begin), line.size());
      size_t before = keys_buffer_.size();
      text::AppendLookupKey(line.substr(begin, end - begin), &keys_buffer_);
      if (keys_buffer_.size() > before) offsets_.push_back({before, keys_buffer_.size()});
      at = end;
    }
    return Emit();
  }

  Status Emit() {
    keys_.clear();
    for (auto [begin, end] : offsets_) {
      keys_.push_back(std::string_view(keys_buffer_).substr(begin, end - begin));
    }
    return keys_.empty() ? Status::Ok() : sentence_(keys_);
  }

  Status Text(std::string_view input) {
    if (input.empty() || input.size() >= (uint64_t{1} << 32)) return Status::Ok();
    text::TokenizedText tokenized = text::Tokenize(input);
    for (const text::Sentence& sentence : tokenized.sentences) {
      keys_buffer_.clear();
      offsets_.clear();
      for (uint32_t t = sentence.first_token; t < sentence.first_token + sentence.token_count;
           ++t) {
        const text::Token& token = tokenized.tokens[t];
        size_t before = keys_buffer_.size();
        text::AppendLookupKey(input.substr(token.begin, token.end - token.begin), &keys_buffer_);
        if (keys_buffer_.size() > before) offsets_.push_back({before, keys_buffer_.size()});
      }
      UNSPIN_RETURN_IF_ERROR(Emit());
    }
    return Status::Ok();
  }

  SentenceFn sentence_;
  ReadStats* stats_;
  bool lines_;
  std::string keys_buffer_;
  std::vector<std::pair<size_t, size_t>> offsets_;
  std::vector<std::string_view> keys_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void ReportSkipped(const ReadStats& stats) {
  if (stats.invalid_utf8_lines > 0) {
    std::fprintf(stderr, "unspin: skipped %llu lines that are not valid UTF-8\n",
                 static_cast<unsigned long long>(stats.invalid_utf8_lines));
  }
  if (stats.bad_jsonl_lines > 0) {
    std::fprintf(stderr,
                 "unspin: skipped %llu JSONL lines without a string \"text\" (malformed, not an "
                 "object, or nested too deep)\n",
                 static_cast<unsigned long long>(stats.bad_jsonl_lines));
  }
}

int RunBuild(const LmFlags& flags) {
  if (OutputIsAnInput("-o", flags.output, flags.inputs) ||
      OutputIsAnInput("--arpa", flags.arpa, flags.inputs)) {
    return kExitUsage;
  }
  auto start = std::chrono::steady_clock::now();
  std::optional<uint64_t> memory = ParseMemory(flags.memory);
  if (!memory) {
    std::fprintf(stderr, "unspin: --memory %s: expected e.g. 25%%, 512M or 4G\n",
                 flags.memory.c_str());
    return kExitUsage;
  }
  lm::CounterOptions counter_options;
  // The window buffer gets half the budget: sorting and the vocabulary need the rest.
  counter_options.memory_bytes = *memory / 2;
  counter_options.temp_dir = flags.temp_dir;
  Result<lm::NgramCounter> counter = lm::NgramCounter::Create(flags.order, counter_options);
  if (!counter.ok()) return Fail(counter.status(), Origin::kInput);
  VocabularyBuilder vocabulary;
  std::vector<WordId> ids;
  ReadStats stats;
  CorpusReader reader(
      [&](const std::vector<std::string_view>& keys) {
        ids.clear();
        for (std::string_view key : keys) ids.push_back(vocabulary.Intern(key));
        return counter->AddSentence(ids);
      },
      &stats, flags.lines);
  if (Status status = reader.ReadAll(flags.inputs); !status.ok()) {
    return Fail(status, Origin::kInput);
  }
  ReportSkipped(stats);
  if (counter->tokens() == 0) {
    std::fprintf(stderr, "unspin: empty corpus: the inputs hold no words to train on\n");
    return kExitBadInput;
  }
  double read_seconds = SecondsSince(start);
  int runs = counter->runs();
  Result<lm::WindowCounts> counted = std::move(*counter).Finish();
  if (!counted.ok()) return Fail(counted.status(), Origin::kInput);
  lm::WindowCounts counts = std::move(*counted);
  if (runs > 0) {
    std::fprintf(stderr,
                 "unspin: counting spilled %d sorted runs (--memory %s), merged in %.1f s\n", runs,
                 flags.memory.c_str(), SecondsSince(start) - read_seconds);
  }
  lm::KneserNeyReport report;
  lm::KneserNeyOptions options;
  options.prune_singletons = flags.prune;
  Result<lm::BackoffLm> lm = lm::EstimateKneserNey(counts, vocabulary.size(), options, &report);
  if (!lm.ok()) return Fail(lm.status(), Origin::kInput);
  double estimate_seconds = SecondsSince(start) - read_seconds;
  std::fprintf(stderr, "unspin: %llu tokens, %llu sentences, %zu words in %llu files\n",
               static_cast<unsigned long long>(counts.tokens),
               static_cast<unsigned long long>(counts.sentences), vocabulary.size() - 3,
               static_cast<unsigned long long>(stats.files));
  counts = {};
  for (int n = 1; n <= lm->order; ++n) {
    std::fprintf(stderr, "unspin: %d-grams %llu, discounts %.4f %.4f %.4f%s\n", n,
                 static_cast<unsigned long long>(report.ngram_counts[n - 1]),
                 report.discounts[n - 1][0], report.discounts[n - 1][1], report.discounts[n - 1][2],
                 report.used_fallback[n - 1] ? " (fallback)" : "");
  }
  if (!flags.arpa.empty()) {
    if (Status status = lm::WriteArpa(*lm, vocabulary, flags.arpa); !status.ok()) {
      return Fail(status, Origin::kInput);
    }
  }
  lm::NgramModelBuilder builder(lm->order);
  std::move(*lm).MoveTo(&builder);
  if (Status status = lm::WriteLmFile(flags.output, vocabulary, builder); !status.ok()) {
    return Fail(status, Origin::kInput);
  }
  std::fprintf(stderr,
               "unspin: wrote %s in %.1f s (reading and counting %.1f s, estimating %.1f s)\n",
               flags.output.c_str(), SecondsSince(start), read_seconds, estimate_seconds);
  return kExitOk;
}

int RunScore(const LmFlags& flags) {
  auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<lm::LmFile>> file = lm::LmFile::Open(flags.lm);
  if (!file.ok()) return FailToLoad(file.status());
  double load_ms = SecondsSince(start) * 1e3;
  const Vocabulary& vocabulary = (*file)->vocabulary();
  const lm::NgramModel& model = (*file)->model();
  std::vector<WordId> ids;
  uint64_t tokens = 0, sentences = 0, oov = 0;
  double log10_total = 0, log10_oov = 0, score_seconds = 0;
  ReadStats stats;
  CorpusReader reader(
      [&](const std::vector<std::string_view>& keys) {
        ids.clear();
        for (std::string_view key : keys)
          ids.push_back(vocabulary.Find(key).value_or(kUnknownWord));
        auto score_start = std::chrono::steady_clock::now();
        lm::LmState state = model.BeginSentence();
        double sentence_log10 = 0;
        for (WordId id : ids) {
          float log10_prob = model.Score(state, id, &state);
          sentence_log10 += log10_prob;
          if (id == kUnknownWord) {
            ++oov;
            log10_oov += log10_prob;
          }
        }
        sentence_log10 += model.EndSentenceScore(state);
        score_seconds += SecondsSince(score_start);
        log10_total += sentence_log10;
        tokens += ids.size();
        ++sentences;
        return Status::Ok();
      },
      &stats, flags.lines);
  if (Status status = reader.ReadAll(flags.inputs); !status.ok()) {
    return Fail(status, Origin::kInput);
  }
  ReportSkipped(stats);
  if (tokens == 0) {
    std::fprintf(stderr, "unspin: empty input: no words to score\n");
    return kExitBadInput;
  }
  // Every token and every </s> is predicted.
  double predicted = static_cast<double>(tokens + sentences);
  CheckedOutput& out = StandardOutput();
  out.Printf("perplexity\t%.2f\n", std::pow(10.0, -log10_total / predicted));
  out.Printf("perplexity_excluding_oov\t%.2f\n",
             std::pow(10.0, -(log10_total - log10_oov) / (predicted - static_cast<double>(oov))));
  out.Printf("tokens\t%llu\n", static_cast<unsigned long long>(tokens));
  out.Printf("sentences\t%llu\n", static_cast<unsigned long long>(sentences));
  out.Printf("oov\t%llu\n", static_cast<unsigned long long>(oov));
  out.Printf("oov_rate\t%.4f\n", static_cast<double>(oov) / static_cast<double>(tokens));
  out.Printf("load_ms\t%.1f\n", load_ms);
  out.Printf("tokens_per_second\t%.0f\n", score_seconds > 0 ? predicted / score_seconds : 0.0);
  return kExitOk;
}

int RunTokenize(const LmFlags& flags) {
  std::string line;
  ReadStats stats;
  CorpusReader reader(
      [&](const std::vector<std::string_view>& keys) {
        line.clear();
        for (std::string_view key : keys) {
          if (!line.empty()) line.push_back(' ');
          line.append(key);
        }
        line.push_back('\n');
        // The failure is reported; the error stops the reader without a second message.
        if (!StandardOutput().Write(line)) return IOError("standard output: write failed");
        return Status::Ok();
      },
      &stats, flags.lines);
  Status status = reader.ReadAll(flags.inputs);
  if (!StandardOutput().ok()) return kExitIO;
  if (!status.ok()) return Fail(status, Origin::kInput);
  ReportSkipped(stats);
  return kExitOk;
}

int RunConvert(const LmFlags& flags) {
  if (OutputIsAnInput("-o", flags.output, {flags.arpa_input})) return kExitUsage;
  Result<std::string> text = ReadFileOrStdin(flags.arpa_input);
  if (!text.ok()) return Fail(text.status(), Origin::kInput);
  VocabularyBuilder vocabulary;
  Result<lm::BackoffLm> lm = lm::ReadArpa(*text, &vocabulary);
  if (!lm.ok()) return Fail(lm.status().WithContext(flags.arpa_input), Origin::kInput);
  lm::NgramModelBuilder builder(lm->order);
  std::move(*lm).MoveTo(&builder);
  if (Status status = lm::WriteLmFile(flags.output, vocabulary, builder); !status.ok()) {
    return Fail(status, Origin::kInput);
  }
  for (int n = 1; n <= lm->order; ++n) {
    std::fprintf(stderr, "unspin: %d-grams %zu\n", n, lm->ngrams[n - 1].size());
  }
  return kExitOk;
}

constexpr const char* kLinesHelp =
    "pre-tokenised input: each line is one sentence of whitespace-separated tokens "
    "(lower-cased; no sentence splitting)";

}  // namespace

void RegisterLm(CLI::App& app, Action* action) {
  auto flags = std::make_shared<LmFlags>();
  CLI::App* lm = app.add_subcommand("lm", "Train or measure an n-gram language model");
  lm->require_subcommand(1);
  CLI::App* build = lm->add_subcommand(
      "build", "Train an interpolated modified Kneser-Ney model on text, directories or JSONL");
  build
      ->add_option("--order", flags->order,
                   "n-gram order, " + std::to_string(lm::kMinTrainOrder) + " to " +
                       std::to_string(lm::kMaxTrainOrder))
      ->check(CLI::Range(lm::kMinTrainOrder, lm::kMaxTrainOrder))
      ->capture_default_str();
  build->add_option("-o,--output", flags->output, "language model file to write")->required();
  build->add_option("--arpa", flags->arpa, "also write the model as ARPA text");
  build
      ->add_option("--memory", flags->memory,
                   "memory budget for counting, e.g. 25% (of RAM), 512M, 4G; beyond it sorted "
                   "runs are spilled to disk and merged")
      ->capture_default_str();
  build->add_option("--temp-dir", flags->temp_dir,
                    "directory for counting runs (default: $TMPDIR or /tmp)");
  build->add_flag("--lines", flags->lines, kLinesHelp);
  build->add_flag("--prune", flags->prune,
                  "drop 3-grams and longer seen once (unless a longer kept n-gram needs them)");
  build
      ->add_option("inputs", flags->inputs,
                   "text files, directories, *.jsonl ({\"text\": ...} per line), or - for stdin")
      ->required();
  build->callback([flags, action] { *action = [flags] { return RunBuild(*flags); }; });
  CLI::App* score = lm->add_subcommand(
      "score", "Print perplexity, OOV rate and scoring speed of a model on text");
  score->add_option("--lm", flags->lm, "language model file (from unspin lm build)")->required();
  score->add_flag("--lines", flags->lines, kLinesHelp);
  score->add_option("inputs", flags->inputs, "text files, directories, *.jsonl, or -")->required();
  score->callback([flags, action] { *action = [flags] { return RunScore(*flags); }; });
  CLI::App* tokenize = lm->add_subcommand(
      "tokenize", "Print the token stream lm build trains on: one sentence per line");
  tokenize->add_flag("--lines", flags->lines, kLinesHelp);
  tokenize->add_option("inputs", flags->inputs, "text files, directories, *.jsonl, or -")
      ->required();
  tokenize->callback([flags, action] { *action = [flags] { return RunTokenize(*flags); }; });
  CLI::App* convert =
      lm->add_subcommand("convert", "Turn an ARPA language model into an unspin .lm file");
  convert->add_option("arpa", flags->arpa_input, "ARPA file, or - for stdin")->required();
  convert->add_option("-o,--output", flags->output, "language model file to write")->required();
  convert->callback([flags, action] { *action = [flags] { return RunConvert(*flags); }; });
}

}  // namespace unspin::cli
