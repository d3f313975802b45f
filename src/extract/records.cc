// Record readers for text, HTML, WARC and JSONL inputs.
//
// Invariants:
// - Stream holds the not yet consumed bytes of the (decompressed) input in
//   buf_[pos_, end); offset_ is the offset of buf_[pos_] in the decompressed
//   input. Unread() puts bytes back in front, so offset_ moves back with them.
// - members_ lists (decompressed start, compressed start) of the gzip members
//   whose data may still be in buf_ or ahead; the first entry holds offset_.
// - A document's record number is fixed by the input alone (never by skips,
//   errors or options other than the format), so (input, record) names it.
#include "unspin/extract/records.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>
#include <utility>

#include "extract/ascii.h"
#include "unspin/base/file.h"
#include "unspin/base/json_depth.h"
#include "unspin/text/utf8.h"

namespace unspin::extract {
namespace {

using internal::LowerAscii;

constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kMaxWarnings = 20;
constexpr size_t kMaxHeaderLine = size_t{64} << 10;
constexpr size_t kMaxHeaderLines = 1000;
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Decimal without sign; false on anything else or overflow.
bool ParseU64(std::string_view s, uint64_t* value) {
  s = Trim(s);
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *value = v;
  return true;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// windows-1252 bytes 0x80..0x9F (WHATWG encoding standard); 0: the C1 control.
constexpr char16_t kWindows1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

bool IsUtf8Charset(std::string_view name) { return name == "utf-8" || name == "utf8"; }

// The charset parameter of a Content-Type value, lower case, unquoted.
std::string CharsetParameter(std::string_view content_type) {
  std::string lower = LowerAscii(content_type);
  size_t at = lower.find("charset=");
  if (at == std::string::npos) return "";
  std::string_view value = std::string_view(lower).substr(at + 8);
  value = value.substr(0, value.find(';'));
  value = Trim(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(Trim(value));
}

// The media type of a Content-Type value, lower case, without parameters.
std::string MediaType(std::string_view content_type) {
  return LowerAscii(Trim(content_type.substr(0, content_type.find(';'))));
}

// ---- Stream ------------------------------------------------------------------

class Stream {
 public:
  // Takes ownership of `fd` (or, with fd < 0, reads `memory`).
  Stream(int fd, std::string memory, bool gzip, uint64_t total_bytes)
      : fd_(fd), memory_(std::move(memory)), gzip_(gzip), total_bytes_(total_bytes) {
    if (gzip_) {
      zlib_ok_ = inflateInit2(&z_, 15 + 16) == Z_OK;
      members_.emplace_back(0, 0);
    }
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream() {
    if (fd_ >= 0) ::close(fd_);
    if (gzip_) inflateEnd(&z_);
  }

  // Reads one line including its '\n' into *line (without it when the input
  // ends first, or `max_bytes` of it when it is longer). False at the end.
  bool ReadLine(std::string* line, size_t max_bytes) {
    line->clear();
    for (;;) {
      std::string_view avail = Available();
      size_t limit = std::min(avail.size(), max_bytes - line->size());
      size_t newline = avail.substr(0, limit).find('\n');
      if (newline != std::string_view::npos) {
        line->append(avail.substr(0, newline + 1));
        Consume(newline + 1);
        return true;
      }
      line->append(avail.substr(0, limit));
      Consume(limit);
      if (line->size() >= max_bytes) return true;
      if (!Fill()) return !line->empty();
    }
  }

  // Appends up to `n` bytes to *out; returns how many (fewer at the end).
  uint64_t Read(uint64_t n, std::string* out) {
    uint64_t done = 0;
    while (done < n) {
      std::string_view avail = Available();
      if (avail.empty() && !Fill()) break;
      avail = Available();
      size_t take = static_cast<size_t>(std::min<uint64_t>(avail.size(), n - done));
      if (out != nullptr) out->append(avail.substr(0, take));
      Consume(take);
      done += take;
    }
    return done;
  }

  // Puts `bytes` back in front of the unread input.
  void Unread(std::string_view bytes) {
    buf_.erase(0, pos_);
    buf_.insert(0, bytes);
    pos_ = 0;
    offset_ -= bytes.size();
  }

  // Peeks at up to `n` bytes without consuming them.
  std::string_view Peek(size_t n) {
    while (Available().size() < n && Fill()) {
    }
    return Available().substr(0, n);
  }

  uint64_t offset() const { return offset_; }
  // Offset in the file where the data at decompressed offset `at` starts (the
  // gzip member holding it); `at` must not be before offset().
  uint64_t FileOffset(uint64_t at) {
    if (!gzip_) return at;
    while (members_.size() > 1 && members_[1].first <= at) members_.pop_front();
    return members_.front().second;
  }
  uint64_t bytes_read() const { return gzip_ ? compressed_consumed_ : offset_; }
  uint64_t total_bytes() const { return total_bytes_; }
  const Status& error() const { return error_; }
  // Damage skipped since the last call (bad gzip data), for warnings.
  std::vector<std::string> TakeNotes() { return std::exchange(notes_, {}); }

 private:
  std::string_view Available() const { return std::string_view(buf_).substr(pos_); }
  void Consume(size_t n) {
    pos_ += n;
    offset_ += n;
  }

  // Reads raw bytes of the file into in_; false at its end or on error.
  bool ReadRaw() {
    if (fd_ < 0) {
      if (memory_pos_ >= memory_.size()) return false;
      size_t take = std::min(kChunkBytes, memory_.size() - memory_pos_);
      in_.append(memory_, memory_pos_, take);
      memory_pos_ += take;
      return true;
    }
    size_t old = in_.size();
    in_.resize(old + kChunkBytes);
    ssize_t got;
    do {
      got = ::read(fd_, in_.data() + old, kChunkBytes);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      error_ = ErrnoError("read", errno);
      in_.resize(old);
      return false;
    }
    in_.resize(old + static_cast<size_t>(got));
    return got > 0;
  }

  // Moves in_pos_ to the next gzip member header (1f 8b 08) after it,
  // reading on as needed. False when the file ends first.
  bool SkipToNextMember() {
    constexpr std::string_view kMagic("\x1f\x8b\x08", 3);
    size_t from = in_pos_ + 1;
    for (;;) {
      size_t at = from <= in_.size() ? in_.find(kMagic, from) : std::string::npos;
      if (at != std::string::npos) {
        compressed_consumed_ += at - in_pos_;
        in_pos_ = at;
        return true;
      }
      // Keep the last 2 bytes: a magic may straddle two reads.
      size_t keep = std::min<size_t>(2, in_.size() - std::min(in_pos_, in_.size()));
      size_t drop = in_.size() - keep;
      compressed_consumed_ += drop - std::min(drop, in_pos_);
      in_.erase(0, drop);
      in_pos_ = 0;
      from = 0;
      if (!ReadRaw()) {
        compressed_consumed_ += in_.size();
        in_.clear();
        return false;
      }
    }
  }

  // Appends more decompressed input to buf_; false at the end or on error.
  bool Fill() {
    if (done_) return false;
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    if (!gzip_) {
      in_.clear();
      if (!ReadRaw()) {
        done_ = true;
        return false;
      }
      buf_ += in_;
      return true;
    }
    if (!zlib_ok_) {
      error_ = InternalError("zlib inflateInit2 failed");
      done_ = true;
      return false;
    }
    for (;;) {
      if (in_pos_ == in_.size()) {
        in_.clear();
        in_pos_ = 0;
        if (!ReadRaw()) {
          done_ = true;
          if (error_.ok() && in_member_) {
            error_ =
                CorruptionError("gzip member at byte " + std::to_string(members_.back().second) +
                                " is truncated (the file ends inside it)");
          }
          return false;
        }
      }
      if (!in_member_) {
        // A new member starts here: it must begin with the gzip magic.
        if (in_.size() - in_pos_ < 2 && ReadRaw()) continue;
        uint64_t at = compressed_consumed_;
        if (in_.size() - in_pos_ < 2 || in_[in_pos_] != '\x1f' || in_[in_pos_ + 1] != '\x8b') {
          if (!SkipToNextMember()) {
            error_ = CorruptionError("byte " + std::to_string(at) +
                                     ": data after a gzip member is not a gzip member");
            done_ = true;
            return false;
          }
          notes_.push_back("bytes " + std::to_string(at) + ".." +
                           std::to_string(compressed_consumed_) +
                           " between gzip members are not gzip; skipped");
          continue;
        }
        if (at != 0) members_.emplace_back(decompressed_total_, at);
        in_member_ = true;
      }
      size_t old = buf_.size();
      buf_.resize(old + kChunkBytes);
      z_.next_in = reinterpret_cast<Bytef*>(in_.data() + in_pos_);
      z_.avail_in = static_cast<uInt>(in_.size() - in_pos_);
      z_.next_out = reinterpret_cast<Bytef*>(buf_.data() + old);
      z_.avail_out = static_cast<uInt>(kChunkBytes);
      int rc = inflate(&z_, Z_NO_FLUSH);
      size_t used = in_.size() - in_pos_ - z_.avail_in;
      size_t produced = kChunkBytes - z_.avail_out;
      in_pos_ += used;
      compressed_consumed_ += used;
      decompressed_total_ += produced;
      buf_.resize(old + produced);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&z_);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        // Bad deflate data: the rest of this member is lost; go on with the
        // next member (the WARC reader resynchronises on its record).
        std::string what = "bad gzip data in the member at byte " +
                           std::to_string(members_.back().second) + " (" +
                           (z_.msg != nullptr ? z_.msg : "zlib error") + ")";
        inflateReset(&z_);
        in_member_ = false;
        if (!SkipToNextMember()) {
          error_ = CorruptionError(what + ", and no gzip member after it");
          done_ = true;
          return produced > 0;
        }
        notes_.push_back(what + "; skipped to the member at byte " +
                         std::to_string(compressed_consumed_));
      }
      if (produced > 0) return true;
    }
  }

  int fd_ = -1;
  std::string memory_;
  size_t memory_pos_ = 0;
  bool gzip_ = false;
  bool zlib_ok_ = false;
  bool in_member_ = false;
  bool done_ = false;
  z_stream z_{};
  std::string in_;
  size_t in_pos_ = 0;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
  uint64_t compressed_consumed_ = 0;
  uint64_t decompressed_total_ = 0;
  uint64_t total_bytes_ = 0;
  std::deque<std::pair<uint64_t, uint64_t>> members_;
  std::vector<std::string> notes_;
  Status error_;
};

// Inflates a gzip or zlib (or raw deflate) body; false when it is broken or
// grows over `max_bytes`.
bool InflateBody(std::string_view body, uint64_t max_bytes, std::string* out) {
  for (int window_bits : {15 + 32, -15}) {
    z_stream z{};
    if (inflateInit2(&z, window_bits) != Z_OK) return false;
    out->clear();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    z.avail_in = static_cast<uInt>(body.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      size_t old = out->size();
      if (old > max_bytes) break;
      out->resize(old + kChunkBytes);
      z.next_out = reinterpret_cast<Bytef*>(out->data() + old);
      z.avail_out = static_cast<uInt>(kChunkBytes);
      rc = inflate(&z, Z_NO_FLUSH);
      out->resize(old + kChunkBytes - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
    }
    inflateEnd(&z);
    if (rc == Z_STREAM_END && out->size() <= max_bytes) return true;
  }
  return false;
}

// Undoes chunked transfer-encoding; false when the chunks are malformed.
bool Dechunk(std::string_view body, std::string* out) {
  out->clear();
  for (;;) {
    size_t eol = body.find('\n');
    if (eol == std::string_view::npos) return false;
    std::string_view size_line = Trim(body.substr(0, body.find_first_of(";\r\n")));
    body.remove_prefix(eol + 1);
    if (size_line.empty() || size_line.size() > 15) return false;
    uint64_t size = 0;
    for (char c : size_line) {
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) return false;
      size = size * 16 + static_cast<uint64_t>(digit);
    }
    if (size == 0) return true;
    if (size > body.size()) return false;
    out->append(body.substr(0, size));
    body.remove_prefix(size);
    if (body.substr(0, 2) == "\r\n") {
      body.remove_prefix(2);
    } else if (body.substr(0, 1) == "\n") {
      body.remove_prefix(1);
    }
  }
}

}  // namespace

std::string_view SkipReasonName(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNotResponse:
      return "not_response";
    case SkipReason::kNotText:
      return "not_text";
    case SkipReason::kHttpStatus:
      return "http_status";
    case SkipReason::kTooLarge:
      return "too_large";
    case SkipReason::kMalformed:
      return "malformed";
    case SkipReason::kTruncated:
      return "truncated";
    case SkipReason::kBinary:
      return "binary";
    case SkipReason::kEmpty:
      return "empty";
    case SkipReason::kContentEncoding:
      return "content_encoding";
  }
  return "malformed";
}

uint64_t ReaderStats::skipped_total() const {
  uint64_t total = 0;
  for (uint64_t count : skipped) total += count;
  return total;
}

bool IsWindows1252Charset(std::string_view name) {
  return name == "iso-8859-1" || name == "iso8859-1" || name == "latin1" || name == "latin-1" ||
         name == "l1" || name == "windows-1252" || name == "cp1252" || name == "x-cp1252" ||
         name == "us-ascii" || name == "ascii" || name == "iso_8859-1" || name == "cp819" ||
         name == "ibm819";
}

std::string Windows1252ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    char32_t cp = byte;
    if (byte >= 0x80 && byte < 0xA0 && kWindows1252High[byte - 0x80] != 0) {
      cp = kWindows1252High[byte - 0x80];
    }
    AppendUtf8(cp, &out);
  }
  return out;
}

bool RepairUtf8(std::string* text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text->data());
  size_t n = text->size(), i = 0;
  bool changed = false;
  std::string out;
  while (i < n) {
    unsigned b = p[i];
    size_t len = b < 0x80                 ? 1
                 : b >= 0xC2 && b <= 0xDF ? 2
                 : b >= 0xE0 && b <= 0xEF ? 3
                 : b >= 0xF0 && b <= 0xF4 ? 4
                                          : 0;
    // Maximal subpart: how many bytes of the sequence are well-formed.
    size_t good = len == 0 ? 0 : 1;
    for (size_t k = 1; k < len && i + k < n; ++k) {
      unsigned c = p[i + k];
      unsigned lo = 0x80, hi = 0xBF;
      if (k == 1 && b == 0xE0) lo = 0xA0;
      if (k == 1 && b == 0xED) hi = 0x9F;
      if (k == 1 && b == 0xF0) lo = 0x90;
      if (k == 1 && b == 0xF4) hi = 0x8F;
      if (c < lo || c > hi) break;
      ++good;
    }
    if (len > 0 && good == len) {
      if (changed) out.append(text->data() + i, len);
      i += len;
      continue;
    }
    if (!changed) out.assign(text->data(), i);
    changed = true;
    out += "\xEF\xBF\xBD";
    i += std::max<size_t>(good, 1);
  }
  if (changed) *text = std::move(out);
  return changed;
}

// ---- Readers -------------------------------------------------------------------

class RecordReader::Impl {
 public:
  Impl(std::unique_ptr<Stream> stream, std::string name, InputFormat format,
       const ReaderOptions& options)
      : stream_(std::move(stream)), name_(std::move(name)), format_(format), options_(options) {}

  Result<bool> Next(Document* doc) {
    Result<bool> result = false;
    switch (format_) {
      case InputFormat::kWarc:
        result = NextWarc(doc);
        break;
      case InputFormat::kJsonl:
        result = NextJsonl(doc);
        break;
      case InputFormat::kText:
      case InputFormat::kHtml:
        result = NextWhole(doc);
        break;
    }
    for (std::string& note : stream_->TakeNotes()) {
      ++stats_.resyncs;
      Warn(std::move(note));
    }
    return result;
  }

  InputFormat format() const { return format_; }
  const ReaderStats& stats() const { return stats_; }
  const Stream& stream() const { return *stream_; }

 private:
  void Warn(std::string message) {
    if (stats_.warnings.size() < kMaxWarnings) stats_.warnings.push_back(std::move(message));
  }
  void Skip(SkipReason reason) { ++stats_.skipped[static_cast<size_t>(reason)]; }

  // A record that is meant as a document but cannot be one: counted and
  // warned about (`where`: "line 3"); with report_every_record also returned
  // in *doc with its error (true: hand it out), else dropped (false).
  bool Reject(Document* doc, SkipReason reason, const std::string& where, const std::string& why) {
    Skip(reason);
    Warn(where + ": " + why);
    if (!options_.report_every_record) return false;
    doc->content.clear();
    doc->error =
        reason == SkipReason::kTooLarge ? ResourceExhaustedError(why) : InvalidArgumentError(why);
    return true;
  }
  Result<bool> Stop() {
    done_ = true;
    return false;
  }

  // The error that ended the input: the stream's, else `fallback`.
  Status EndError(Status fallback) {
    done_ = true;
    return stream_->error().ok() ? fallback : stream_->error();
  }

  // Fills the charset-dependent part of a document; false (counted) when
  // nothing is left of it.
  bool Finish(Document* doc) {
    if (!doc->charset.empty() && !IsUtf8Charset(doc->charset) &&
        !IsWindows1252Charset(doc->charset)) {
      ++stats_.unknown_charset;
    }
    if (doc->format == InputFormat::kText) {
      if (IsWindows1252Charset(doc->charset)) doc->content = Windows1252ToUtf8(doc->content);
      if (!options_.report_every_record && RepairUtf8(&doc->content)) ++stats_.repaired_utf8;
    }
    if (!options_.report_every_record && Trim(doc->content).empty()) {
      Skip(SkipReason::kEmpty);
      return false;
    }
    ++stats_.documents;
    return true;
  }

  // A text or HTML file: one document.
  Result<bool> NextWhole(Document* doc) {
    if (done_) return false;
    done_ = true;
    ++stats_.records;
    *doc = Document();
    doc->id = name_;
    uint64_t got = stream_->Read(options_.max_record_bytes + 1, &doc->content);
    if (!stream_->error().ok()) {
      Skip(SkipReason::kTruncated);
      return stream_->error();
    }
    doc->format = format_;
    if (got > options_.max_record_bytes) {
      return Reject(doc, SkipReason::kTooLarge, name_,
                    TooLargeError("the document", 0, options_.max_record_bytes).message());
    }
    if (std::string_view(doc->content).substr(0, 8192).find('\0') != std::string_view::npos) {
      return Reject(doc, SkipReason::kBinary, name_, "holds NUL bytes (binary)");
    }
    return Finish(doc);
  }

  Result<bool> NextJsonl(Document* doc) {
    std::string line;
    while (!done_) {
      uint64_t start = stream_->offset();
      uint64_t file_offset = stream_->FileOffset(start);
      if (!stream_->ReadLine(&line, options_.max_record_bytes + 1)) {
        if (!stream_->error().ok()) return EndError(Status());
        done_ = true;
        return false;
      }
      uint64_t record = line_++;
      const std::string where = "line " + std::to_string(record + 1);
      *doc = Document();
      doc->record = record;
      doc->source_offset = file_offset;
      doc->id = name_ + ":" + std::to_string(record + 1);
      doc->format = InputFormat::kText;
      if (line.size() > options_.max_record_bytes && line.back() != '\n') {
        // Skip the rest of the line without holding it.
        std::string rest;
        while (stream_->ReadLine(&rest, kChunkBytes) && rest.back() != '\n') {
        }
        ++stats_.records;
        if (Reject(doc, SkipReason::kTooLarge, where,
                   TooLargeError("the line", 0, options_.max_record_bytes).message())) {
          return true;
        }
        continue;
      }
      std::string_view trimmed = Trim(line);
      if (record == 0 && trimmed.starts_with(kUtf8ByteOrderMark)) {
        trimmed = Trim(trimmed.substr(kUtf8ByteOrderMark.size()));
      }
      if (trimmed.empty()) continue;
      ++stats_.records;
      if (ReadJsonlRecord(trimmed, doc, where)) return true;
    }
    return false;
  }

  // One non-blank JSONL line into *doc (its record, offset and fallback id
  // set). True when *doc is to be handed out (a document, or a bad line with
  // report_every_record).
  bool ReadJsonlRecord(std::string_view line, Document* doc, const std::string& where) {
    // Most archive lines are {"id": ..., "text": ...} alone, and a general
    // JSON parser was a sixth of an index build's time on them.
    if (std::optional<IdAndText> plain = ParseIdTextLine(line)) {
      doc->id = std::move(plain->id);
      doc->content = std::move(plain->text);
      return Finish(doc);
    }
    if (Status depth = CheckJsonDepth(line); !depth.ok()) {
      return Reject(doc, SkipReason::kMalformed, where, depth.message());
    }
    nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) {
      return Reject(doc, SkipReason::kMalformed, where,
                    json.is_discarded() ? "not a JSON object (malformed JSON or invalid UTF-8)"
                                        : "not a JSON object");
    }
    auto url = json.find("url");
    if (url != json.end() && url->is_string()) {
      doc->url = url->get<std::string>();
      doc->id = doc->url;
      doc->id_is_url = true;
    }
    auto id = json.find("id");
    if (id != json.end() && (id->is_string() || id->is_number())) {
      doc->id = id->is_string() ? id->get<std::string>() : id->dump();
      doc->id_is_url = false;
    }
    auto text = json.find("text");
    auto html = json.find("html");
    if (html != json.end() && html->is_string()) {
      doc->format = InputFormat::kHtml;
      doc->content = html->get<std::string>();
    } else if (text != json.end() && text->is_string()) {
      doc->format = InputFormat::kText;
      doc->content = text->get<std::string>();
    } else {
      return Reject(doc, SkipReason::kMalformed, where, "no \"text\" or \"html\" string");
    }
    json.erase("id");
    json.erase("text");
    json.erase("html");
    doc->metadata = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return Finish(doc);
  }

  // Skips forward to the next line that starts with "WARC/1." and puts it
  // back. False at the end of the input.
  bool Resync() {
    ++stats_.resyncs;
    std::string line;
    while (stream_->ReadLine(&line, kChunkBytes)) {
      if (line.rfind("WARC/1.", 0) == 0) {
        stream_->Unread(line);
        return true;
      }
    }
    return false;
  }

  // After a block: the CRLF CRLF trailer. False when it is not there (the
  // Content-Length lied); then nothing is consumed.
  bool ReadTrailer() {
    std::string_view next = stream_->Peek(4);
    if (next == "\r\n\r\n") {
      stream_->Read(4, nullptr);
      return true;
    }
    // Lenient: bare LF LF, or a file that ends after the block.
    if (next.substr(0, 2) == "\n\n") {
      stream_->Read(2, nullptr);
      return true;
    }
    if (next.find_first_not_of("\r\n") == std::string_view::npos) {
      std::string_view more = stream_->Peek(next.size() + 1);
      if (more.size() == next.size()) {
        stream_->Read(next.size(), nullptr);
        return true;
      }
    }
    return false;
  }

  Result<bool> NextWarc(Document* doc) {
    std::string line;
    std::string block;
    while (!done_) {
      // Header line, after any blank lines between records.
      uint64_t start = 0;
      do {
        start = stream_->offset();
        if (!stream_->ReadLine(&line, kMaxHeaderLine)) {
          if (!stream_->error().ok()) return EndError(Status());
          done_ = true;
          return false;
        }
      } while (Trim(line).empty());
      uint64_t file_offset = stream_->FileOffset(start);
      std::string where =
          "record " + std::to_string(warc_record_) + " at byte " + std::to_string(file_offset);
      if (line.rfind("WARC/1.", 0) != 0 && line.rfind("WARC/0.", 0) != 0) {
        Skip(SkipReason::kMalformed);
        ++stats_.records;
        ++warc_record_;
        Warn(where + ": no WARC version line; skipped to the next \"WARC/1.\" line");
        if (!Resync()) {
          done_ = true;
          return false;
        }
        continue;
      }
      uint64_t record = warc_record_++;
      ++stats_.records;
      // Named fields until the blank line.
      std::string type, uri, record_id, content_type, length_text;
      bool have_length = false;
      size_t count = 0;
      bool header_ok = false;
      while (stream_->ReadLine(&line, kMaxHeaderLine) && ++count <= kMaxHeaderLines) {
        std::string_view field = Trim(line);
        if (field.empty()) {
          header_ok = true;
          break;
        }
        size_t colon = field.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name = LowerAscii(Trim(field.substr(0, colon)));
        std::string_view value = Trim(field.substr(colon + 1));
        if (name == "warc-type") type = LowerAscii(value);
        if (name == "warc-target-uri") uri = value;
        if (name == "warc-record-id") record_id = value;
        if (name == "content-type") content_type = value;
        if (name == "content-length") {
          length_text = value;
          have_length = true;
        }
      }
      if (!header_ok) {
        if (!stream_->error().ok() || stream_->Peek(1).empty()) {
          Skip(SkipReason::kTruncated);
          return EndError(CorruptionError(where + ": the file ends inside the WARC header"));
        }
        Skip(SkipReason::kMalformed);
        Warn(where + ": WARC header too long; skipped");
        if (!Resync()) return Stop();
        continue;
      }
      uint64_t length = 0;
      if (!have_length || !ParseU64(length_text, &length)) {
        Skip(SkipReason::kMalformed);
        Warn(where + ": missing or bad Content-Length; skipped to the next record");
        if (!Resync()) return Stop();
        continue;
      }
      bool wanted = type == "response" || type == "resource" || type == "conversion";
      if (length > options_.max_record_bytes || !wanted) {
        if (stream_->Read(length, nullptr) < length) {
          Skip(SkipReason::kTruncated);
          return EndError(CorruptionError(where + ": the file ends inside the record block"));
        }
        if (length > options_.max_record_bytes) {
          Skip(SkipReason::kTooLarge);
          Warn(where + ": block of " + std::to_string(length) + " bytes is over the limit");
        } else {
          Skip(SkipReason::kNotResponse);
        }
        if (!ReadTrailer()) {
          Warn(where + ": no CRLF CRLF after the block (bad Content-Length?); resynchronised");
          if (!Resync()) return Stop();
        }
        continue;
      }
      block.clear();
      if (stream_->Read(length, &block) < length) {
        // A cut-off record; a too-long Content-Length in the file's last
        // record looks the same and is reported the same.
        Skip(SkipReason::kTruncated);
        return EndError(CorruptionError(where + ": the file ends inside the record block (" +
                                        std::to_string(block.size()) + " of " +
                                        std::to_string(length) + " bytes)"));
      }
      if (!ReadTrailer()) {
        Skip(SkipReason::kMalformed);
        Warn(where +
             ": no CRLF CRLF after the Content-Length bytes; record skipped, "
             "resynchronised on the next \"WARC/1.\" line");
        size_t inside = block.find("\nWARC/1.");
        if (inside != std::string::npos) {
          // The length was too long: the next record starts inside the block.
          ++stats_.resyncs;
          stream_->Unread(std::string_view(block).substr(inside + 1));
        } else if (!Resync()) {
          return Stop();
        }
        continue;
      }
      *doc = Document();
      doc->record = record;
      doc->source_offset = file_offset;
      doc->id = uri.size() >= 2 && uri.front() == '<' && uri.back() == '>'
                    ? uri.substr(1, uri.size() - 2)
                    : uri;
      doc->id_is_url = !doc->id.empty();
      doc->url = doc->id_is_url ? doc->id : std::string();
      if (doc->id.empty()) doc->id = record_id;
      std::string_view payload = block;
      std::string media = MediaType(content_type);
      std::string payload_type = content_type;
      std::string body_storage;
      if (type == "response") {
        if (media != "application/http") {
          Skip(SkipReason::kNotText);
          continue;
        }
        // Status line, then headers until the blank line.
        size_t eol = payload.find('\n');
        std::string_view status_line = payload.substr(0, eol);
        uint64_t status = 0;
        if (eol == std::string_view::npos || status_line.substr(0, 5) != "HTTP/" ||
            status_line.find(' ') == std::string_view::npos ||
            !ParseU64(status_line.substr(status_line.find(' ') + 1, 3), &status)) {
          Skip(SkipReason::kMalformed);
          Warn(where + ": no HTTP status line in the response");
          continue;
        }
        if (status < 200 || status > 299) {
          Skip(SkipReason::kHttpStatus);
          continue;
        }
        payload.remove_prefix(eol + 1);
        std::string transfer_encoding, content_encoding;
        payload_type.clear();
        bool ended = false;
        while (!payload.empty()) {
          eol = payload.find('\n');
          std::string_view header = Trim(payload.substr(0, eol));
          payload.remove_prefix(eol == std::string_view::npos ? payload.size() : eol + 1);
          if (header.empty()) {
            ended = true;
            break;
          }
          size_t colon = header.find(':');
          if (colon == std::string_view::npos) continue;
          std::string name = LowerAscii(Trim(header.substr(0, colon)));
          std::string_view value = Trim(header.substr(colon + 1));
          if (name == "content-type") payload_type = value;
          if (name == "transfer-encoding") transfer_encoding = LowerAscii(value);
          if (name == "content-encoding") content_encoding = LowerAscii(value);
        }
        if (!ended) payload = {};
        if (transfer_encoding.find("chunked") != std::string::npos) {
          std::string dechunked;
          if (!Dechunk(payload, &dechunked)) {
            Skip(SkipReason::kMalformed);
            Warn(where + ": broken chunked transfer-encoding; skipped");
            continue;
          }
          body_storage = std::move(dechunked);
          payload = body_storage;
        }
        if (!content_encoding.empty() && content_encoding != "identity") {
          std::string inflated;
          if ((content_encoding != "gzip" && content_encoding != "x-gzip" &&
               content_encoding != "deflate") ||
              !InflateBody(payload, options_.max_record_bytes, &inflated)) {
            Skip(SkipReason::kContentEncoding);
            Warn(where + ": content-encoding \"" + content_encoding + "\" not decoded; skipped");
            continue;
          }
          body_storage = std::move(inflated);
          payload = body_storage;
        }
      }
      std::string payload_media = MediaType(payload_type);
      if (payload_media == "text/html" || payload_media == "application/xhtml+xml") {
        doc->format = InputFormat::kHtml;
      } else if (payload_media == "text/plain") {
        doc->format = InputFormat::kText;
      } else if (payload_media.empty() &&
                 payload.substr(0, 8192).find('\0') == std::string_view::npos) {
        InputFormat sniffed = DetectFormat(payload.substr(0, 65536));
        if (sniffed != InputFormat::kHtml && sniffed != InputFormat::kText) {
          Skip(SkipReason::kNotText);
          continue;
        }
        doc->format = sniffed;
      } else {
        Skip(SkipReason::kNotText);
        continue;
      }
      if (payload.substr(0, 8192).find('\0') != std::string_view::npos) {
        Skip(SkipReason::kBinary);
        Warn(where + ": a " + (payload_media.empty() ? "text" : payload_media) +
             " payload holding NUL bytes; skipped");
        continue;
      }
      doc->charset = CharsetParameter(payload_type);
      doc->content = payload;
      if (Finish(doc)) return true;
    }
    return false;
  }

  std::unique_ptr<Stream> stream_;
  std::string name_;
  InputFormat format_;
  ReaderOptions options_;
  ReaderStats stats_;
  bool done_ = false;
  uint64_t line_ = 0;
  uint64_t warc_record_ = 0;
};

namespace {

// Detects the format from the name of a file (JSON lines) or the first
// 64 KiB of the (decompressed) stream.
Result<std::unique_ptr<RecordReader::Impl>> MakeImpl(std::unique_ptr<Stream> stream,
                                                     std::string name, bool named_jsonl,
                                                     const ReaderOptions& options) {
  InputFormat format = InputFormat::kText;
  if (options.format) {
    format = *options.format;
  } else if (named_jsonl) {
    format = InputFormat::kJsonl;
  } else {
    std::string head(stream->Peek(size_t{64} << 10));
    if (!stream->error().ok() && head.empty()) return stream->error().WithContext(name);
    format = DetectFormat(head);
  }
  return std::make_unique<RecordReader::Impl>(std::move(stream), std::move(name), format, options);
}

}  // namespace

RecordReader::RecordReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordReader::~RecordReader() = default;

Result<std::unique_ptr<RecordReader>> RecordReader::Open(const std::string& path,
                                                         const ReaderOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) return NotFoundError(path + ": no such file");
    return ErrnoError(path, error);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return IOError(path + ": not a regular file");
  }
  unsigned char magic[2] = {0, 0};
  ssize_t got = ::pread(fd, magic, 2, 0);
  bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  auto stream =
      std::make_unique<Stream>(fd, std::string(), gzip, static_cast<uint64_t>(info.st_size));
  UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<Impl> impl,
                          MakeImpl(std::move(stream), path, HasJsonLinesExtension(path), options));
  return std::unique_ptr<RecordReader>(new RecordReader(std::move(impl)));
}

Result<std::unique_ptr<RecordReader>> RecordReader::FromBytes(std::string bytes, std::string name,
                                                              const ReaderOptions& options) {
  bool gzip = bytes.size() >= 2 && bytes[0] == '\x1f' && bytes[1] == '\x8b';
  uint64_t size = bytes.size();
  auto stream = std::make_unique<Stream>(-1, std::move(bytes), gzip, size);
  UNSPIN_ASSIGN_OR_RETURN(std::unique_ptr<Impl> impl,
                          MakeImpl(std::move(stream), name, HasJsonLinesExtension(name), options));
  return std::unique_ptr<RecordReader>(new RecordReader(std::move(impl)));
}

Result<bool> RecordReader::Next(Document* doc) { return impl_->Next(doc); }
InputFormat RecordReader::format() const { return impl_->format(); }
const ReaderStats& RecordReader::stats() const { return impl_->stats(); }
uint64_t RecordReader::bytes_read() const { return impl_->stream().bytes_read(); }
uint64_t RecordReader::total_bytes() const { return impl_->stream().total_bytes(); }

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at line[at]; -1 when they are not.
int32_t HexQuad(std::string_view line, size_t at) {
  if (at + 4 > line.size()) return -1;
  int32_t value = 0;
  for (size_t k = 0; k < 4; ++k) {
    const int digit = HexValue(line[at + k]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// The JSON string starting at line[*at] (its opening quote), decoded; *at
// moves past the closing quote. False for anything a conforming parser would
// reject (control characters, bad escapes, lone surrogates); invalid UTF-8 is
// left to the caller's check.
bool DecodeJsonString(std::string_view line, size_t* at, std::string* out) {
  size_t i = *at;
  if (i >= line.size() || line[i] != '"') return false;
  ++i;
  out->clear();
  for (;;) {
    const size_t run = i;
    while (i < line.size() && line[i] != '"' && line[i] != '\\' &&
           static_cast<unsigned char>(line[i]) >= 0x20) {
      ++i;
    }
    out->append(line.data() + run, i - run);
    if (i >= line.size() || static_cast<unsigned char>(line[i]) < 0x20) return false;
    if (line[i] == '"') {
      *at = i + 1;
      return true;
    }
    if (i + 1 >= line.size()) return false;
    const char escape = line[i + 1];
    i += 2;
    // The one-character escapes, and what each stands for.
    constexpr std::string_view kEscaped = "\"\\/bfnrt";
    constexpr std::string_view kMeaning = "\"\\/\b\f\n\r\t";
    if (const size_t k = kEscaped.find(escape); k != std::string_view::npos) {
      out->push_back(kMeaning[k]);
      continue;
    }
    if (escape != 'u') return false;
    const int32_t unit = HexQuad(line, i);
    if (unit < 0) return false;
    i += 4;
    char32_t cp = static_cast<char32_t>(unit);
    if (unit >= 0xDC00 && unit <= 0xDFFF) return false;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 2 > line.size() || line[i] != '\\' || line[i + 1] != 'u') return false;
      const int32_t low = HexQuad(line, i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return false;
      i += 6;
      cp = 0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) +
           (static_cast<char32_t>(low) - 0xDC00);
    }
    AppendUtf8(cp, out);
  }
}

}  // namespace

std::optional<IdAndText> ParseIdTextLine(std::string_view line) {
  size_t at = 0;
  auto skip_space = [&] {
    while (at < line.size() && IsJsonSpace(line[at])) ++at;
  };
  auto expect = [&](char c) {
    skip_space();
    if (at >= line.size() || line[at] != c) return false;
    ++at;
    return true;
  };
  if (!expect('{')) return std::nullopt;
  IdAndText result;
  bool have_id = false;
  bool have_text = false;
  std::string key;
  for (int member = 0; member < 2; ++member) {
    if (member == 1 && !expect(',')) return std::nullopt;
    skip_space();
    if (!DecodeJsonString(line, &at, &key) || !expect(':')) return std::nullopt;
    skip_space();
    if (key == "id" && !have_id) {
      if (!DecodeJsonString(line, &at, &result.id)) return std::nullopt;
      have_id = true;
    } else if (key == "text" && !have_text) {
      if (!DecodeJsonString(line, &at, &result.text)) return std::nullopt;
      have_text = true;
    } else {
      return std::nullopt;
    }
  }
  if (!expect('}')) return std::nullopt;
  skip_space();
  if (at != line.size()) return std::nullopt;
  if (!text::ValidateUtf8(result.id).ok() || !text::ValidateUtf8(result.text).ok()) {
    return std::nullopt;
  }
  return result;
}

}  // namespace unspin::extract
