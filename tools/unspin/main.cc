// unspin: takes machine-spun text apart. One binary, one verb per use case.
#include <cerrno>
#include <cstdio>
#include <exception>

#include "cli.h"

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
