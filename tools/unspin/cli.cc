#include "cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "unspin/base/file.h"

namespace unspin::cli {

int ExitCodeFor(const Status& status, Origin origin) {
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
    case StatusCode::kDeadlineExceeded:  // no verb sets a deadline
      return kExitInternal;
  }
  return kExitInternal;
}

namespace {

// $UNSPIN_MODEL, or empty.
std::string EnvironmentModel() {
  const char* named = std::getenv("UNSPIN_MODEL");
  return named == nullptr ? std::string() : std::string(named);
}

}  // namespace

std::vector<std::string> DefaultModelPaths() {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path binary = fs::read_symlink("/proc/self/exe", error);
  if (error || binary.empty()) return {};
  const fs::path dir = binary.parent_path();
  // Both relative paths come from CMake (tools/CMakeLists.txt): they follow
  // the build and install layout, not where either was when configured.
  const fs::path build_root = (dir / UNSPIN_BUILD_ROOT_FROM_BINARY).lexically_normal();
  std::string build_tree = (build_root / "model/en-us.unspin").string();
  std::string installed = (dir / UNSPIN_INSTALLED_MODEL_FROM_BINARY).lexically_normal().string();
  if (fs::exists(build_root / "CMakeCache.txt", error)) return {build_tree, installed};
  return {installed, build_tree};
}

int Fail(const Status& status, Origin origin) {
  std::fprintf(stderr, "unspin: %s\n", status.ToString().c_str());
  return ExitCodeFor(status, origin);
}

int FailToLoad(const Status& status) {
  const int code = Fail(status, Origin::kModel);
  return code == kExitIO ? kExitBadModel : code;
}

bool CheckedOutput::Failed(int errno_value) {
  if (ok_) {
    ok_ = false;
    const Status status = errno_value != 0 ? ErrnoError("cannot write " + name_, errno_value)
                                           : IOError("cannot write " + name_);
    std::fprintf(stderr, "unspin: %s\n", status.ToString().c_str());
  }
  return false;
}

bool CheckedOutput::Write(std::string_view bytes) {
  if (!ok_) return false;
  if (bytes.empty()) return true;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) return Failed(errno);
  return true;
}

bool CheckedOutput::Printf(const char* format, ...) {
  if (!ok_) return false;
  std::va_list arguments;
  va_start(arguments, format);
  errno = 0;
  const int written = std::vfprintf(file_, format, arguments);
  const int saved = errno;
  va_end(arguments);
  return written >= 0 ? true : Failed(saved);
}

bool CheckedOutput::Flush() {
  if (!ok_) return false;
  errno = 0;
  if (std::fflush(file_) != 0) return Failed(errno);
  if (std::ferror(file_)) return Failed(0);
  return true;
}

CheckedOutput& StandardOutput() {
  static CheckedOutput output(stdout, "standard output");
  return output;
}

void ReserveStandardDescriptors() {
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // Open for the other direction: using it fails with EBADF, as the closed one did.
    const int stand_in = ::open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY);
    if (stand_in >= 0 && stand_in != fd) {
      ::dup2(stand_in, fd);
      ::close(stand_in);
    }
  }
}

int FinishStandardOutput(int exit_code) {
  CheckedOutput& output = StandardOutput();
  // A pipeline that writes standard output itself (channel learn -o -) reports its own failure.
  if (exit_code == kExitIO && output.ok() && std::ferror(stdout)) return exit_code;
  if (output.Flush()) return exit_code;
  return exit_code == kExitInternal ? kExitInternal : kExitIO;
}

bool OutputIsAnInput(const std::string& flag, const std::string& output,
                     const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (output.empty() || output == "-" || !fs::exists(output, error)) return false;
  for (const std::string& input : inputs) {
    if (input == "-" || fs::is_directory(input, error) || !fs::equivalent(input, output, error)) {
      continue;
    }
    std::fprintf(stderr, "unspin: %s %s is the input %s; it is left as it is: name another file\n",
                 flag.c_str(), output.c_str(), input.c_str());
    return true;
  }
  return false;
}

std::string PlainNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", value);
  return text;
}

CLI::Validator FiniteRange(double min, double max) {
  const std::string range = "[" + PlainNumber(min) + ", " + PlainNumber(max) + "]";
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(text, value)) return "Value " + text + " is not a number";
        if (!std::isfinite(value)) return "Value " + text + " is not a finite number";
        if (value < min || value > max) return "Value " + text + " is not in " + range;
        return {};
      },
      "NUMBER in " + range);
}

std::string ModelPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (std::string named = EnvironmentModel(); !named.empty()) return named;
  const std::vector<std::string> paths = DefaultModelPaths();
  for (const std::string& path : paths) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) return path;
  }
  return paths.empty() ? std::string() : paths.front();
}

std::unique_ptr<model::Model> LoadModel(const std::string& flag, int* exit_code) {
  const std::string path = ModelPath(flag);
  if (path.empty()) {
    *exit_code = Fail(NotFoundError("no model: the unspin binary cannot find its own directory "
                                    "(/proc/self/exe); name the model with --model or "
                                    "UNSPIN_MODEL"),
                      Origin::kModel);
    return nullptr;
  }
  Result<std::unique_ptr<model::Model>> model = model::Model::Open(path);
  if (!model.ok()) {
    Status status = model.status();
    const bool named = !flag.empty() || !EnvironmentModel().empty();
    if (status.code() == StatusCode::kNotFound && !named) {
      std::string looked;
      for (const std::string& candidate : DefaultModelPaths()) {
        looked += (looked.empty() ? "" : " or ") + candidate;
      }
      status = NotFoundError("no model at " + looked + " (build it with: unspin model build -o " +
                             path + ", or name one with --model or UNSPIN_MODEL)");
    } else if (status.code() == StatusCode::kNotFound) {
      status =
          NotFoundError(status.message() + " (build it with: unspin model build -o " + path + ")");
    }
    *exit_code = FailToLoad(status);
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
      ->check(FiniteRange(pipeline::kChangeCostRange.min, pipeline::kChangeCostRange.max));
  command
      ->add_option("--min-spun-probability", options->min_spun_probability,
                   "a text whose spun probability is below this is left as written (no spans); "
                   "0 shows every span")
      ->capture_default_str()
      ->check(FiniteRange(pipeline::kMinSpunProbabilityRange.min,
                          pipeline::kMinSpunProbabilityRange.max));
  command
      ->add_option("--spun-share", options->spun_share,
                   "the share of spun texts expected among those checked: the spun probability "
                   "is calibrated to it; a text is called spun only when its evidence passes "
                   "what about 99% of originals show, whatever the share")
      ->capture_default_str()
      ->check(FiniteRange(pipeline::kSpunShareRange.min, pipeline::kSpunShareRange.max));
}

int LoadIndex(const std::string& model_flag, const std::string& dir, LoadedIndex* loaded) {
  int exit_code = kExitOk;
  loaded->model = LoadModel(model_flag, &exit_code);
  if (!loaded->model) return exit_code;
  loaded->classes = std::make_unique<source::WordClasses>(*loaded->model);
  Result<std::unique_ptr<source::Index>> index =
      source::Index::Open(dir, loaded->classes->fingerprint());
  if (!index.ok()) return FailToLoad(index.status());
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

std::optional<uint64_t> ParseMemory(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !(value > 0) || !std::isfinite(value)) return std::nullopt;
  std::string suffix(end);
  double bytes;
  if (suffix == "%") {
    if (value > 100) return std::nullopt;
    double physical = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                      static_cast<double>(::sysconf(_SC_PAGESIZE));
    bytes = physical * value / 100;
  } else if (suffix.empty() || suffix == "B") {
    bytes = value;
  } else if (suffix == "K" || suffix == "k") {
    bytes = value * 1024;
  } else if (suffix == "M" || suffix == "m") {
    bytes = value * 1024 * 1024;
  } else if (suffix == "G" || suffix == "g") {
    bytes = value * 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  // A budget beyond 2^62 bytes is no budget, and not a uint64_t to convert.
  if (!(bytes < 0x1p62)) return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

}  // namespace unspin::cli
