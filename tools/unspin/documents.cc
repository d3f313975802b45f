#include "documents.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "unspin/base/file.h"
#include "unspin/base/json_depth.h"
#include "unspin/extract/format.h"
#include "unspin/extract/records.h"

namespace unspin::cli {
namespace {

constexpr size_t kSniffBytes = size_t{64} << 10;
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// The start of the line at `at` after blank lines: its first non-white byte.
size_t NextLineStart(std::string_view text, size_t at) {
  while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
  return at;
}

// JSON lines by name (".jsonl", ".ndjson", also gzipped) or by content: the
// first non-blank line, after a UTF-8 byte order mark, starts with '{', or
// the first line is a header and the next starts with '{'. Anything else is
// one plain-text document.
bool IsJsonLines(const std::string& path, std::string_view head) {
  if (extract::HasJsonLinesExtension(path)) return true;
  if (head.starts_with(kUtf8ByteOrderMark)) head.remove_prefix(kUtf8ByteOrderMark.size());
  size_t at = NextLineStart(head, 0);
  if (at < head.size() && head[at] == '{') return true;
  const size_t newline = head.find('\n', at);
  if (newline == std::string_view::npos) return false;
  at = NextLineStart(head, newline + 1);
  return at < head.size() && head[at] == '{';
}

void Offer(const std::string& path, uint64_t line, source::IndexDocument document,
           const std::function<Status(source::IndexDocument, uint64_t)>& take, ReadCounts* counts) {
  Status status = take(std::move(document), line);
  if (status.ok()) {
    ++counts->documents;
  } else {
    ReportSkipped(path, line, status.message(), counts);
  }
}

}  // namespace

void ReportSkipped(const std::string& path, uint64_t line, std::string_view why,
                   ReadCounts* counts) {
  std::fprintf(stderr, "unspin: %s:%llu: %.*s (skipped)\n", path.c_str(),
               static_cast<unsigned long long>(line), static_cast<int>(why.size()), why.data());
  ++counts->rejected;
}

Result<source::IndexDocument> ParseDocument(RawDocument raw) {
  if (!raw.jsonl) return source::IndexDocument{std::move(raw.path), std::move(raw.bytes), "{}"};
  // Most archive lines are {"id": ..., "text": ...} alone, and a general
  // JSON parser was a sixth of an index build's time on them.
  if (std::optional<extract::IdAndText> plain = extract::ParseIdTextLine(raw.bytes)) {
    return source::IndexDocument{std::move(plain->id), std::move(plain->text), "{}"};
  }
  UNSPIN_RETURN_IF_ERROR(CheckJsonDepth(raw.bytes));
  nlohmann::json json = nlohmann::json::parse(raw.bytes, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgumentError("not a JSON object (malformed JSON or invalid UTF-8)");
  }
  auto id = json.find("id");
  auto text = json.find("text");
  if (id == json.end() || !(id->is_string() || id->is_number_integer())) {
    return InvalidArgumentError("no \"id\" string");
  }
  if (text == json.end() || !text->is_string()) return InvalidArgumentError("no \"text\" string");
  source::IndexDocument document;
  document.id = id->is_string() ? std::move(id->get_ref<std::string&>()) : id->dump();
  document.text = std::move(text->get_ref<std::string&>());
  json.erase("id");
  json.erase("text");
  document.metadata = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return document;
}

Status ReadRawDocuments(const std::string& path, const std::function<void(RawDocument)>& take,
                        ReadCounts* counts) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      if (error == ENOENT) return NotFoundError("cannot open " + path + ": no such file");
      return ErrnoError("cannot open " + path, error);
    }
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd != STDIN_FILENO) ::close(fd);
    }
  } closer{fd};
  // Lines are cut out of 1 MiB blocks (getline is several times slower). A
  // read error (standard input closed, EIO) is an error, never an early end:
  // an index build would otherwise publish what it read so far.
  constexpr size_t kBlockBytes = size_t{1} << 20;
  std::vector<char> block(kBlockBytes);
  auto read_block = [&]() -> Result<size_t> {
    for (;;) {
      const ssize_t got = ::read(fd, block.data(), block.size());
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) {
        return ErrnoError(path == "-" ? "cannot read standard input" : "cannot read " + path,
                          errno);
      }
    }
  };
  // The first 64 KiB (or the whole input, when shorter) decide the format.
  std::string head;
  bool at_end = false;
  while (!at_end && head.size() < kSniffBytes) {
    UNSPIN_ASSIGN_OR_RETURN(size_t got, read_block());
    head.append(block.data(), got);
    at_end = got == 0;
  }
  if (!IsJsonLines(path, head)) {
    // One document: a regular file over the limit is refused from its size,
    // anything else when it reads past the limit.
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
        static_cast<uint64_t>(info.st_size) > kMaxTextInputBytes) {
      const Status too_large =
          TooLargeError("the document", static_cast<uint64_t>(info.st_size), kMaxTextInputBytes);
      ReportSkipped(path, 1, too_large.message(), counts);
      return Status::Ok();
    }
    std::string text = std::move(head);
    while (!at_end && text.size() <= kMaxTextInputBytes) {
      UNSPIN_ASSIGN_OR_RETURN(size_t got, read_block());
      text.append(block.data(), got);
      at_end = got == 0;
    }
    if (text.size() > kMaxTextInputBytes) {
      ReportSkipped(path, 1, TooLargeError("the document", 0, kMaxTextInputBytes).message(),
                    counts);
      return Status::Ok();
    }
    take({path, std::move(text), 1, false});
    return Status::Ok();
  }
  std::string line;
  uint64_t line_number = 0;
  // A line over the limit is not held: its bytes are dropped up to its end,
  // and it is reported there.
  bool too_long = false;
  auto emit = [&] {
    ++line_number;
    if (too_long) {
      ReportSkipped(path, line_number, TooLargeError("the line", 0, kMaxTextInputBytes).message(),
                    counts);
      too_long = false;
    } else {
      if (line_number == 1 && line.starts_with(kUtf8ByteOrderMark)) {
        line.erase(0, kUtf8ByteOrderMark.size());
      }
      if (line.find_first_not_of(" \t\r") != std::string::npos) {
        take({path, std::move(line), line_number, true});
      }
    }
    line.clear();
  };
  auto cut_lines = [&](const char* bytes, size_t size) {
    size_t start = 0;
    while (start < size) {
      const void* newline = std::memchr(bytes + start, '\n', size - start);
      const size_t end = newline == nullptr
                             ? size
                             : static_cast<size_t>(static_cast<const char*>(newline) - bytes);
      if (!too_long && line.size() + (end - start) > kMaxTextInputBytes) {
        too_long = true;
        line = std::string();
      }
      if (!too_long) line.append(bytes + start, end - start);
      if (newline == nullptr) break;
      emit();
      start = end + 1;
    }
  };
  cut_lines(head.data(), head.size());
  head = std::string();
  while (!at_end) {
    UNSPIN_ASSIGN_OR_RETURN(size_t got, read_block());
    cut_lines(block.data(), got);
    at_end = got == 0;
  }
  if (!line.empty() || too_long) emit();
  return Status::Ok();
}

Status ReadDocuments(const std::string& path,
                     const std::function<Status(source::IndexDocument, uint64_t line)>& take,
                     ReadCounts* counts) {
  return ReadRawDocuments(
      path,
      [&](RawDocument raw) {
        const uint64_t line = raw.line;
        Result<source::IndexDocument> document = ParseDocument(std::move(raw));
        if (!document.ok()) {
          ReportSkipped(path, line, document.status().message(), counts);
          return;
        }
        Offer(path, line, std::move(*document), take, counts);
      },
      counts);
}

}  // namespace unspin::cli
