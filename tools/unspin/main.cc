// unspin: takes machine-spun text apart. One binary, one verb per use case.
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "cli.h"

namespace {

// The first word where a verb belongs (after `unspin`, or after a verb with
// verbs of its own: `unspin index ...`) that names none: "unknown verb", with
// the verbs there are, instead of CLI11's "arguments were not expected".
// Empty when every verb is known.
std::string UnknownVerb(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    const std::vector<CLI::App*> verbs = level->get_subcommands({});
    if (word.starts_with("-") || verbs.empty()) return {};
    CLI::App* next = nullptr;
    std::string names;
    for (CLI::App* verb : verbs) {
      if (verb->get_name() == word) next = verb;
      names += (names.empty() ? "" : ", ") + verb->get_name();
    }
    if (next == nullptr) {
      const std::string path = level == &app ? "unspin" : "unspin " + level->get_name();
      return "unknown verb \"" + std::string(word) + "\"; the verbs of " + path + " are " + names +
             " (" + path + " --help)";
    }
    level = next;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace unspin::cli;
  ReserveStandardDescriptors();
  CLI::App app{"unspin: tell whether a text is machine-spun and restore its original wording",
               "unspin"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("unspin ") + UNSPIN_VERSION);
  Action action;
  RegisterCheck(app, &action);
  RegisterRestore(app, &action);
  RegisterModel(app, &action);
  RegisterLm(app, &action);
  RegisterEval(app, &action);
  RegisterSimulate(app, &action);
  RegisterExtract(app, &action);
  RegisterChannel(app, &action);
  RegisterIndex(app, &action);
  RegisterFind(app, &action);
  RegisterCluster(app, &action);
  RegisterScan(app, &action);
  RegisterServe(app, &action);
  if (const std::string unknown = UnknownVerb(app, argc, argv); !unknown.empty()) {
    std::fprintf(stderr, "unspin: %s\n", unknown.c_str());
    return FinishStandardOutput(kExitUsage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return FinishStandardOutput(code == 0 ? kExitOk : kExitUsage);
  }
  int code = kExitUsage;
  try {
    if (action) code = action();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "unspin: internal error: %s\n", error.what());
    code = kExitInternal;
  }
  return FinishStandardOutput(code);
}
