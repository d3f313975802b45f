#include "unspin/base/json_depth.h"

#include <cstring>
#include <string>

namespace unspin {

Status CheckJsonDepth(std::string_view json, size_t max_depth) {
  size_t depth = 0;
  const char* at = json.data();
  const char* const end = at + json.size();
  while (at < end) {
    const char c = *at++;
    if (c == '"') {
      // To the closing quote: the first one after an even run of backslashes.
      for (;;) {
        const void* found = std::memchr(at, '"', static_cast<size_t>(end - at));
        if (found == nullptr) return Status::Ok();  // unterminated: the parser reports it
        const char* quote = static_cast<const char*>(found);
        const char* run = quote;
        while (run > at && run[-1] == '\\') --run;
        at = quote + 1;
        if ((quote - run) % 2 == 0) break;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return InvalidArgumentError("JSON nested deeper than " + std::to_string(max_depth) +
                                    " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace unspin
