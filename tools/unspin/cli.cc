#include "cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "unspin/base/file.h"

namespace unspin::cli {

int Fail(const Status& status, Origin origin) {
  std::fprintf(stderr, "unspin: %s\n", status.ToString().c_str());
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
      return origin == Origin::kModel ? kExitBadModel : kExitBadInput;
    case StatusCode::kCorruption:
    case StatusCode::kVersionMismatch:
      return origin == Origin::kModel ? kExitBadModel : kExitBadInput;
    case StatusCode::kNotFound:
      return origin == Origin::kModel ? kExitBadModel : kExitIO;
    case StatusCode::kIOError:
      return kExitIO;
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

std::string ModelPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("UNSPIN_MODEL"); env != nullptr && *env != '\0') return env;
  return UNSPIN_DEFAULT_MODEL;
}

std::unique_ptr<model::Model> LoadModel(const std::string& flag, int* exit_code) {
  std::string path = ModelPath(flag);
  Result<std::unique_ptr<model::Model>> model = model::Model::Open(path);
  if (!model.ok()) {
    Status status = model.status();
    if (status.code() == StatusCode::kNotFound) {
      status =
          NotFoundError(status.message() + " (build it with: unspin model build -o " + path + ")");
    }
    *exit_code = Fail(status, Origin::kModel);
    return nullptr;
  }
  return std::move(*model);
}

std::optional<std::vector<pipeline::EvalPair>> ReadPairs(const std::string& path, int* exit_code) {
  constexpr uint64_t kMaxPairsBytes = uint64_t{1} << 32;
  Result<std::string> input = ReadFileOrStdin(path, kMaxPairsBytes);
  if (!input.ok()) {
    *exit_code = Fail(input.status(), Origin::kInput);
    return std::nullopt;
  }
  Result<std::vector<pipeline::EvalPair>> pairs = pipeline::ParseEvalPairs(*input);
  if (!pairs.ok()) {
    *exit_code = Fail(pairs.status().WithContext(path == "-" ? "<stdin>" : path), Origin::kInput);
    return std::nullopt;
  }
  return std::move(*pairs);
}

void AddCheckerOptions(CLI::App* command, pipeline::CheckOptions* options) {
  command
      ->add_option("--change-cost", options->change_cost,
                   "log10 evidence a replacement must gain over the text as written; "
                   "higher changes less")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  command
      ->add_option("--min-spun-probability", options->min_spun_probability,
                   "a text whose spun probability is below this is left as written (no spans); "
                   "0 shows every span")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
}

int LoadIndex(const std::string& model_flag, const std::string& dir, LoadedIndex* loaded) {
  int exit_code = kExitOk;
  loaded->model = LoadModel(model_flag, &exit_code);
  if (!loaded->model) return exit_code;
  loaded->classes = std::make_unique<source::WordClasses>(*loaded->model);
  Result<std::unique_ptr<source::Index>> index =
      source::Index::Open(dir, loaded->classes->fingerprint());
  if (!index.ok()) return Fail(index.status(), Origin::kModel);
  loaded->index = std::move(*index);
  return kExitOk;
}

ProgressLine::ProgressLine(std::string label)
    : label_(std::move(label)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      last_(start_) {}

double ProgressLine::Seconds() const {
  return std::max(1e-9, std::chrono::duration<double>(Clock::now() - start_).count());
}

void ProgressLine::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (now - last_ < std::chrono::milliseconds(500)) return;
  last_ = now;
  const double rate = static_cast<double>(done) / Seconds();
  if (total > 0) {
    const double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : 0;
    std::fprintf(stderr, "\r%s %llu of %llu documents (%.0f/s, %.0f%%, ETA %.0f s)   ",
                 label_.c_str(), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), rate,
                 100.0 * static_cast<double>(done) / static_cast<double>(total), eta);
  } else {
    std::fprintf(stderr, "\r%s %llu documents (%.0f/s)   ", label_.c_str(),
                 static_cast<unsigned long long>(done), rate);
  }
}

void ProgressLine::Finish() {
  if (enabled_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace unspin::cli
