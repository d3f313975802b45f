// A bound on how deeply a JSON text nests, checked before it is parsed.
//
//   UNSPIN_RETURN_IF_ERROR(CheckJsonDepth(line));
//   nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
//
// Every JSON reader of the project calls it first: serialising (dump) a
// parsed value recurses once per level, so a line of 70,000 nested objects
// overflows the stack. No real document nests 512 levels deep, so deeper
// text is refused with a message instead.
#ifndef UNSPIN_BASE_JSON_DEPTH_H_
#define UNSPIN_BASE_JSON_DEPTH_H_

#include <cstddef>
#include <string_view>

#include "unspin/base/status.h"

namespace unspin {

inline constexpr size_t kMaxJsonDepth = 512;

// OK when no value in `json` lies more than `max_depth` arrays or objects
// deep; InvalidArgument "JSON nested deeper than N levels" otherwise. Only
// brackets outside strings count; the text need not be valid JSON (the
// parser that follows judges that). One pass, strings skipped with memchr;
// stops at the first level too deep. Thread-safe.
Status CheckJsonDepth(std::string_view json, size_t max_depth = kMaxJsonDepth);

}  // namespace unspin

#endif  // UNSPIN_BASE_JSON_DEPTH_H_
