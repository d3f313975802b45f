// Invariants: windows cover the input without gaps or overlap; every span
// and debris line of a window is shifted by the window's start, so offsets
// point into the whole input.
#include "unspin/pipeline/check_windows.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "unspin/text/utf8.h"

namespace unspin::pipeline {
namespace {

bool IsLineSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The end of the first blank line in [from, limit): just after its line
// break; npos when there is none.
size_t AfterBlankLine(std::string_view input, size_t from, size_t limit) {
  for (size_t at = input.find('\n', from); at != std::string_view::npos && at < limit;
       at = input.find('\n', at + 1)) {
    size_t next = at + 1;
    while (next < input.size() && IsLineSpace(input[next])) ++next;
    if (next < input.size() && input[next] == '\n' && next < limit) return next + 1;
  }
  return std::string_view::npos;
}

// Where the window starting at `begin` ends (see CheckWindows).
size_t WindowEnd(std::string_view input, size_t begin, size_t window_bytes) {
  if (input.size() - begin <= window_bytes) return input.size();
  const size_t from = begin + window_bytes;
  const size_t limit = std::min(input.size(), from + window_bytes);
  if (size_t end = AfterBlankLine(input, from, limit); end != std::string_view::npos) return end;
  const std::string_view window = input.substr(begin, limit - begin);
  if (size_t newline = window.rfind('\n'); newline != std::string_view::npos) {
    return begin + newline + 1;
  }
  if (size_t space = window.rfind(' '); space != std::string_view::npos) {
    return begin + space + 1;
  }
  size_t end = limit;
  while (end < input.size() && end > begin + 1 &&
         (static_cast<unsigned char>(input[end]) & 0xC0) == 0x80) {
    --end;
  }
  return end;
}

void ShiftSpans(std::vector<SpunSpan> spans, uint32_t offset, std::vector<SpunSpan>* into) {
  for (SpunSpan& span : spans) {
    span.start += offset;
    span.end += offset;
    into->push_back(std::move(span));
  }
}

}  // namespace

std::vector<ByteRange> CheckWindows(std::string_view input, size_t window_bytes) {
  window_bytes = std::max<size_t>(window_bytes, 1);
  std::vector<ByteRange> windows;
  size_t begin = 0;
  do {
    const size_t end = WindowEnd(input, begin, window_bytes);
    windows.push_back({begin, end});
    begin = end;
  } while (begin < input.size());
  return windows;
}

namespace {

Status CheckedByDeadline(CheckDeadline deadline, size_t checked, size_t size) {
  if (deadline == kNoCheckDeadline || std::chrono::steady_clock::now() < deadline) {
    return Status::Ok();
  }
  return DeadlineExceededError("the check stopped at its time limit after " +
                               std::to_string(checked) + " of " + std::to_string(size) + " bytes");
}

}  // namespace

Result<CheckResult> CheckInWindows(const Checker& checker, std::string_view input,
                                   size_t window_bytes, CheckDeadline deadline) {
  UNSPIN_RETURN_IF_ERROR(CheckedByDeadline(deadline, 0, input.size()));
  if (input.size() <= window_bytes) {
    UNSPIN_ASSIGN_OR_RETURN(CheckEvidence evidence, checker.Gather(input));
    return checker.Judge(std::move(evidence));
  }
  if (input.size() >= (uint64_t{1} << 32)) {
    return InvalidArgumentError("input is larger than 4 GiB; split it into documents");
  }
  // Validated whole, so that an error names its offset in the input.
  UNSPIN_RETURN_IF_ERROR(text::ValidateUtf8(input));
  CheckEvidence whole;
  for (const ByteRange& window : CheckWindows(input, window_bytes)) {
    UNSPIN_RETURN_IF_ERROR(CheckedByDeadline(deadline, window.begin, input.size()));
    UNSPIN_ASSIGN_OR_RETURN(CheckEvidence part,
                            checker.Gather(input.substr(window.begin, window.end - window.begin)));
    const auto offset = static_cast<uint32_t>(window.begin);
    ShiftSpans(std::move(part.spans), offset, &whole.spans);
    ShiftSpans(std::move(part.flagged), offset, &whole.flagged);
    // The weak flagged spans are shown only when nothing else is: once a
    // window has a span or a flagged one, none of them ever will be.
    if (whole.spans.empty() && whole.flagged.empty()) {
      ShiftSpans(std::move(part.weak_flagged), offset, &whole.weak_flagged);
    } else {
      whole.weak_flagged = {};
    }
    for (DebrisSpan& debris : part.debris) {
      debris.start += offset;
      debris.end += offset;
      whole.debris.push_back(std::move(debris));
    }
    whole.words += part.words;
    whole.features.Add(part.features);
  }
  return checker.Judge(std::move(whole));
}

Result<CheckResult> CheckInWindowsRestored(const Checker& checker, std::string_view input,
                                           size_t window_bytes, CheckDeadline deadline) {
  UNSPIN_ASSIGN_OR_RETURN(CheckResult result,
                          CheckInWindows(checker, input, window_bytes, deadline));
  ForEachRestoredPiece(input, result.spans,
                       [&](std::string_view piece) { result.restored.append(piece); });
  return result;
}

}  // namespace unspin::pipeline
