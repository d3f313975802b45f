#include "cli.h"

#include <cstdio>
#include <cstdlib>

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

}  // namespace unspin::cli
