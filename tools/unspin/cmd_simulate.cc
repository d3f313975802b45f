// unspin simulate: spin text with the built-in adversary (simulate/spinner.h)
// and optionally write the key of every change.
#include <cstdio>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/simulate/spinner.h"

namespace unspin::cli {
namespace {

struct SimulateFlags {
  std::string input = "-";
  std::string model;
  std::string style;
  std::string key;
  bool lines = false;
  simulate::SpinOptions options;
};

int RunSimulate(const SimulateFlags& flags) {
  if (OutputIsAnInput("--key", flags.key, {flags.input})) return kExitUsage;
  Result<simulate::Style> style = simulate::ParseStyle(flags.style);
  if (!style.ok()) {
    std::fprintf(stderr, "unspin: %s\n", style.status().message().c_str());
    return kExitUsage;
  }
  simulate::SpinOptions options = flags.options;
  options.style = *style;
  Result<std::string> input = ReadFileOrStdin(flags.input, kMaxTextInputBytes);
  if (!input.ok()) return Fail(input.status(), Origin::kInput);
  int exit_code = kExitOk;
  std::unique_ptr<model::Model> model = LoadModel(flags.model, &exit_code);
  if (!model) return exit_code;
  Result<simulate::Spinner> spinner = simulate::Spinner::Create(*model, options);
  if (!spinner.ok()) {
    std::fprintf(stderr, "unspin: %s\n", spinner.status().message().c_str());
    return kExitUsage;
  }

  std::string out;
  std::string key;
  auto spin = [&](std::string_view document, uint64_t index) -> Status {
    UNSPIN_ASSIGN_OR_RETURN(simulate::SpinResult result, spinner->Spin(document, index));
    out += result.text;
    if (!flags.key.empty()) key += simulate::KeyToJson(result, index) + '\n';
    return Status::Ok();
  };
  // --lines: a line that cannot be spun (invalid UTF-8) does not stop the
  // batch; it is printed as written, keyed with no changes, and reported.
  Status first_error = Status::Ok();
  uint64_t failed_lines = 0;
  uint64_t index = 0;
  if (flags.lines) {
    std::string_view rest = *input;
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
      Status status = spin(line, index);
      if (!status.ok()) {
        status = status.WithContext("line " + std::to_string(index + 1));
        std::fprintf(stderr, "unspin: %s; printed as written\n", status.ToString().c_str());
        if (first_error.ok()) first_error = status;
        ++failed_lines;
        out += line;
        if (!flags.key.empty()) key += simulate::KeyToJson({std::string(line), {}}, index) + '\n';
      }
      out += '\n';
      ++index;
    }
  } else if (Status status = spin(*input, 0); !status.ok()) {
    return Fail(status, Origin::kInput);
  }

  if (!flags.key.empty()) {
    AtomicFileWriter writer;
    Status status = writer.Open(flags.key);
    if (status.ok()) status = writer.Append(key);
    if (status.ok()) status = writer.Commit();
    if (!status.ok()) return Fail(status, Origin::kInput);
  }
  StandardOutput().Write(out);
  if (failed_lines == 0) return kExitOk;
  std::fprintf(stderr, "unspin: %llu of %llu lines could not be spun (the first: %s)\n",
               static_cast<unsigned long long>(failed_lines),
               static_cast<unsigned long long>(index), first_error.ToString().c_str());
  return ExitCodeFor(first_error, Origin::kInput);
}

}  // namespace

void RegisterSimulate(CLI::App& app, Action* action) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* simulate = app.add_subcommand(
      "simulate", "Spin text like a content-farm spinner (for evaluation), with a key of changes");
  simulate->add_option("input", flags->input, "text file, or - for standard input")
      ->capture_default_str();
  simulate->add_option("--style", flags->style, "spinner style: thesaurus, phrase or sparse")
      ->required();
  simulate
      ->add_option("--rate", flags->options.rate,
                   "share of content words changed (sparse: every round(1/rate)-th)")
      ->capture_default_str()
      ->check(FiniteRange(0.0, 1.0));
  simulate->add_flag("--consistent", flags->options.consistent,
                     "thesaurus style: a fixed dictionary, each word form always swapped for "
                     "the same synonym (rate: the share of forms swapped)");
  simulate->add_option("--seed", flags->options.seed, "random seed; same seed, same output")
      ->capture_default_str();
  simulate->add_option("--key", flags->key,
                       "write the changes here as JSONL: one {document, changes} object per "
                       "document, byte offsets into the input and the output");
  simulate->add_flag("--lines", flags->lines,
                     "spin each input line as its own document (offsets relative to the line)");
  simulate
      ->add_option("--quoted-probability", flags->options.quoted_change_probability,
                   "probability that a quoted word may be changed")
      ->capture_default_str()
      ->check(FiniteRange(0.0, 1.0));
  simulate
      ->add_option("--name-probability", flags->options.name_change_probability,
                   "probability that a capitalised mid-sentence word may be changed")
      ->capture_default_str()
      ->check(FiniteRange(0.0, 1.0));
  simulate->add_option("--model", flags->model,
                       "model file (default: $UNSPIN_MODEL or the built-in)");
  simulate->callback([flags, action] { *action = [flags] { return RunSimulate(*flags); }; });
}

}  // namespace unspin::cli
