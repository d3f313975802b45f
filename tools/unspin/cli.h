// Shared pieces of the unspin command line: exit codes, error reporting and
// model loading. Each verb lives in cmd_<verb>.cc and registers itself with
// CLI11 through a Register<Verb> function.
#ifndef UNSPIN_TOOLS_UNSPIN_CLI_H_
#define UNSPIN_TOOLS_UNSPIN_CLI_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/model/model.h"
#include "unspin/pipeline/check.h"
#include "unspin/pipeline/eval.h"
#include "unspin/source/index.h"
#include "unspin/source/signature.h"

namespace unspin::cli {

// Documented in README.md ("Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,
  kExitNoMatch = 1,  // find: no query matched (as grep's 1)
  kExitBadInput = 2,
  kExitBadModel = 3,
  kExitIO = 4,
  kExitInternal = 70,
};

// Which kind of file a Status came from decides between "bad input" and
// "bad model or index".
enum class Origin { kInput, kModel };

// The exit code for a failure (README.md's table), without reporting it.
int ExitCodeFor(const Status& status, Origin origin);

// Prints "unspin: <message>" to stderr and returns the exit code for it.
int Fail(const Status& status, Origin origin);

// Where unspin looks for its model when neither --model nor $UNSPIN_MODEL
// names one, found from the directory of the running binary (so that a
// build tree or an install prefix works wherever it is moved): the build
// tree's model/en-us.unspin (build/<preset>/tools/unspin ->
// build/<preset>/model/) and the installed <prefix>/share/unspin/en-us.unspin
// (<prefix>/bin/unspin). The one of the binary's own layout comes first: the
// build tree's when a CMakeCache.txt sits above the binary. Empty when the
// binary's directory cannot be read (no /proc).
std::vector<std::string> DefaultModelPaths();

// Reports a model or index that cannot be opened: exit 3 whatever the reason
// (missing, unreadable, not a regular file, damaged, another version), 70 for
// an internal error. An I/O error is a bad model here, not 4: the model is
// what is wrong, and 4 stays for the text and output files a verb reads and
// writes.
int FailToLoad(const Status& status);

// Standard output, checked. Every verb writes its data through StandardOutput()
// and nothing else, so that the first write that fails (a full disk, a reader
// gone with SIGPIPE ignored, a closed descriptor) is seen: it is reported once
// on stderr, nothing more is written, and every call returns false from then
// on. A verb that writes in a loop stops at the first false and returns
// kExitIO; main flushes at the end and exits with 4 when any write failed
// (FinishStandardOutput). Not thread-safe: one writer thread.
class CheckedOutput {
 public:
  explicit CheckedOutput(std::FILE* file, std::string name) : file_(file), name_(std::move(name)) {}
  CheckedOutput(const CheckedOutput&) = delete;
  CheckedOutput& operator=(const CheckedOutput&) = delete;

  bool Write(std::string_view bytes);
  bool Printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
  // Hands the buffered bytes to the kernel (fflush), and checks that no write
  // to the stream failed, ours or another's (CLI11's --help).
  bool Flush();
  bool ok() const { return ok_; }

 private:
  bool Failed(int errno_value);

  std::FILE* file_;
  std::string name_;
  bool ok_ = true;
};

CheckedOutput& StandardOutput();

// Gives closed standard descriptors (0, 1, 2) a stand-in that fails as the
// closed one would (reads or writes give EBADF), so that no file the verb
// opens later gets their number and receives its output or diagnostics.
void ReserveStandardDescriptors();

// main's last step: flushes standard output; returns `exit_code`, or kExitIO
// when a write failed (reported on stderr), whatever the verb returned but an
// internal error: the output is incomplete.
int FinishStandardOutput(int exit_code);

// True, and said on stderr, when the file `output` that `flag` names is one
// of `inputs` (the same file by any spelling or link; directories and `-`
// are not compared): written, it would replace the input. The verb exits 1
// (usage) and leaves the input as it is.
bool OutputIsAnInput(const std::string& flag, const std::string& output,
                     const std::vector<std::string>& inputs);

// A number as a person writes it: 0.1, 100, 2.5 (not 0.100000).
std::string PlainNumber(double value);

// The CLI11 check of every floating-point option: a finite number in
// [min, max], the bounds in its messages written as PlainNumber does.
// CLI::Range alone lets "nan" through (every comparison with NaN is false),
// and "inf" through an open bound, and prints 0.100000.
CLI::Validator FiniteRange(double min, double max);

// A memory budget as `lm build --memory` and `scan --memory` take it: "25%"
// (of physical memory), "512M", "4G", "64K", "1000000" (bytes); nullopt if
// malformed or not positive.
std::optional<uint64_t> ParseMemory(const std::string& text);

// The model path: --model, else $UNSPIN_MODEL, else the first of
// DefaultModelPaths() that exists, else the first of them (where
// `model build` writes a new one). Empty only when no path is known.
std::string ModelPath(const std::string& flag);

// Loads the model or reports why not (exit code through *exit_code).
std::unique_ptr<model::Model> LoadModel(const std::string& flag, int* exit_code);

// Reads (original, spun) pairs (`unspin eval`'s JSONL) from `path` or stdin
// ("-"), or reports why not (exit code through *exit_code) and returns
// nothing.
std::optional<std::vector<pipeline::EvalPair>> ReadPairs(const std::string& path, int* exit_code);

// The checker's options every verb that checks takes: --change-cost and
// --min-spun-probability.
void AddCheckerOptions(CLI::App* command, pipeline::CheckOptions* options);

// A source index with the model and word classes it was built with.
struct LoadedIndex {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<source::WordClasses> classes;
  std::unique_ptr<source::Index> index;
};

// Loads the model (--model flag rules as LoadModel), its word classes and the
// index in `dir`; on failure reports why and returns the exit code (3 for a
// missing, damaged or other-model index), else kExitOk.
int LoadIndex(const std::string& model_flag, const std::string& dir, LoadedIndex* loaded);

// "<label> N documents (R/s)" or, with a total, "<label> N of T documents
// (R/s, P%, ETA)" on stderr, redrawn at most twice a second, only when stderr
// is a terminal. Finish() erases it.
class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  void Update(uint64_t done, uint64_t total = 0);
  void Finish();
  double Seconds() const;

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  bool enabled_;
  Clock::time_point start_;
  Clock::time_point last_;
};

// A verb's action runs after parsing and returns the process exit code.
using Action = std::function<int()>;

void RegisterCheck(CLI::App& app, Action* action);
void RegisterRestore(CLI::App& app, Action* action);
void RegisterModel(CLI::App& app, Action* action);
void RegisterLm(CLI::App& app, Action* action);
void RegisterEval(CLI::App& app, Action* action);
void RegisterSimulate(CLI::App& app, Action* action);
void RegisterExtract(CLI::App& app, Action* action);
void RegisterChannel(CLI::App& app, Action* action);
void RegisterIndex(CLI::App& app, Action* action);
void RegisterFind(CLI::App& app, Action* action);
void RegisterCluster(CLI::App& app, Action* action);
void RegisterScan(CLI::App& app, Action* action);
void RegisterServe(CLI::App& app, Action* action);

}  // namespace unspin::cli

#endif  // UNSPIN_TOOLS_UNSPIN_CLI_H_
