// Checking a long text window by window, so that the checker's working
// memory stays that of one window (a long article's worth) however long the
// text is; the verdict is still on the whole text.
//
//   pipeline::Checker checker(*model);
//   UNSPIN_ASSIGN_OR_RETURN(pipeline::CheckResult result,
//                           pipeline::CheckInWindows(checker, text));
//   pipeline::WriteCheckResultJson(result, text, [](std::string_view piece) { ... });
//
// Each window is cut after a blank line (a paragraph break: the tokenizer
// starts a sentence there and closes an open quote, so the language model
// reads each sentence with the same context as in the whole text) and
// gathered as its own text (Checker::Gather); the evidence of all windows,
// offsets shifted into the whole text and counts added up, is judged once
// (Checker::Judge). A text of one window is checked exactly as Check checks
// it. What reads a whole document beyond its sentences reads a window of a
// longer text: a substitution pooled over its recurrences, the initialisms
// the text writes, short lines repeated as page debris.
#ifndef UNSPIN_PIPELINE_CHECK_WINDOWS_H_
#define UNSPIN_PIPELINE_CHECK_WINDOWS_H_

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include "unspin/base/status.h"
#include "unspin/pipeline/check.h"

namespace unspin::pipeline {

// About 11,000 words of English: a long article is one window.
inline constexpr size_t kDefaultWindowBytes = size_t{64} << 10;

struct ByteRange {
  size_t begin = 0;
  size_t end = 0;
};

// The windows of `input`: consecutive ranges that cover it, in order. A
// window ends after the first blank line at or after `window_bytes` from its
// start; when there is none within `window_bytes` more, after the last
// line break before that, else after the last space, else at a UTF-8
// character boundary. `window_bytes` >= 1.
std::vector<ByteRange> CheckWindows(std::string_view input, size_t window_bytes);

using CheckDeadline = std::chrono::steady_clock::time_point;
inline constexpr CheckDeadline kNoCheckDeadline = CheckDeadline::max();

// Checker::Check's result for `input`, checked in CheckWindows(input,
// window_bytes), with `restored` left empty (ForEachRestoredPiece and
// WriteCheckResultJson make it from `input` and the spans). Errors: as
// Check's, with offsets into `input`; DeadlineExceeded when `deadline` has
// passed before a window is begun (a window is never cut short, so the check
// stops at most one window's time after it).
Result<CheckResult> CheckInWindows(const Checker& checker, std::string_view input,
                                   size_t window_bytes = kDefaultWindowBytes,
                                   CheckDeadline deadline = kNoCheckDeadline);

// CheckInWindows with `restored` made (ForEachRestoredPiece): the whole
// answer in memory, for callers that hand it on whole (a record's JSON line,
// a Python dict). Errors: as CheckInWindows'.
Result<CheckResult> CheckInWindowsRestored(const Checker& checker, std::string_view input,
                                           size_t window_bytes = kDefaultWindowBytes,
                                           CheckDeadline deadline = kNoCheckDeadline);

}  // namespace unspin::pipeline

#endif  // UNSPIN_PIPELINE_CHECK_WINDOWS_H_
