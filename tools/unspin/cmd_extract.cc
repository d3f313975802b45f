// unspin extract: the article of a text or HTML page, without its debris.
#include <optional>

#include "cli.h"
#include "unspin/base/file.h"
#include "unspin/pipeline/extract.h"

namespace unspin::cli {
namespace {

struct ExtractFlags {
  std::string input = "-";
  std::string format = "auto";
  bool json = false;
};

int RunExtract(const ExtractFlags& flags) {
  pipeline::ExtractOptions options;
  if (flags.format != "auto") {
    Result<extract::InputFormat> format = extract::ParseInputFormat(flags.format);
    if (!format.ok()) {
      Fail(format.status(), Origin::kInput);
      return kExitUsage;
    }
    options.format = *format;
  }
  Result<std::string> input = ReadFileOrStdin(flags.input, kMaxTextInputBytes);
  if (!input.ok()) return Fail(input.status(), Origin::kInput);
  Result<pipeline::ExtractResult> result = pipeline::Extract(*input, options);
  if (!result.ok()) return Fail(result.status(), Origin::kInput);
  if (flags.json) {
    StandardOutput().Write(pipeline::ExtractResultToJson(*result) + '\n');
  } else {
    StandardOutput().Write(result->body);
  }
  return kExitOk;
}

}  // namespace

void RegisterExtract(CLI::App& app, Action* action) {
  auto flags = std::make_shared<ExtractFlags>();
  CLI::App* extract = app.add_subcommand(
      "extract", "Print the article (title and body) of a text or HTML page, without page debris");
  extract->add_option("input", flags->input, "text or HTML file, or - for standard input")
      ->capture_default_str();
  extract->add_option("--format", flags->format, "input format: text, html or auto (sniffed)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "text", "html"}));
  extract->add_flag("--json", flags->json,
                    "print one JSON object: format, body, lines (start, end, kind)");
  extract->callback([flags, action] { *action = [flags] { return RunExtract(*flags); }; });
}

}  // namespace unspin::cli
