// unspin: takes machine-spun text apart. One binary, one verb per use case.
#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <exception>

#include "cli.h"

namespace {

// A standard stream the caller closed (`<&-`, `>&-`) is held by /dev/null
// opened the other way round, so that it still fails as closed (EBADF) and
// no file this process opens is given its number: `index build -` would
// otherwise read the index's lock file as its standard input, and a result
// written to stdout could land in a file.
void HoldClosedStandardStreams() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int held = ::open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY));
    if (held != fd && held >= 0) ::close(held);  // a lower number was free: not ours to hold
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace unspin::cli;
  HoldClosedStandardStreams();
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
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "unspin: internal error: %s\n", error.what());
    return kExitInternal;
  }
}
