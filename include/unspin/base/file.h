// Files: whole-file reads, read-only memory maps, and atomic writes.
//
//   UNSPIN_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open("model.bin"));
//   std::string_view bytes = map.bytes();
//
//   AtomicFileWriter out;  // writes "x.tmp", then fsync + rename to "x"
//   UNSPIN_RETURN_IF_ERROR(out.Open("x"));
//   UNSPIN_RETURN_IF_ERROR(out.Append(bytes));
//   UNSPIN_RETURN_IF_ERROR(out.Commit());
#ifndef UNSPIN_BASE_FILE_H_
#define UNSPIN_BASE_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "unspin/base/status.h"

namespace unspin {

// The largest text a verb reads whole (check, restore, extract, simulate,
// find's query, a plain-text document or a JSONL line of index build/add).
inline constexpr uint64_t kMaxTextInputBytes = uint64_t{1} << 30;

// ResourceExhausted: "`name` is `size` bytes, over the limit of `max_bytes`
// bytes (N MiB)"; `size` 0 when the size is not known (a pipe read past the
// limit): "`name` is over the limit ...".
Status TooLargeError(const std::string& name, uint64_t size, uint64_t max_bytes);

// Reads a whole file, or standard input when `path` is "-": a text input, so
// a pipe or a FIFO is read too. A regular file larger than `max_bytes` is
// refused from its size before anything is read; anything else is read up
// to `max_bytes` + 1 bytes and then refused: ResourceExhausted
// (TooLargeError) either way. A directory is an IOError (EISDIR), as
// reading it is.
Result<std::string> ReadFileOrStdin(const std::string& path,
                                    uint64_t max_bytes = uint64_t{1} << 32);

// Reads a whole regular file: a model, index or table the program reads as
// data (thesaurus, channel table). Anything else (a FIFO, which would block
// waiting for a writer, a device, a directory) is refused with
// InvalidArgument without blocking; NotFound for a missing file; files larger
// than `max_bytes` get ResourceExhausted.
Result<std::string> ReadRegularFile(const std::string& path,
                                    uint64_t max_bytes = uint64_t{1} << 32);

enum class MapPolicy : uint8_t {
  kLazy,      // pages fault in on first touch
  kPopulate,  // MAP_POPULATE: read everything at open
};

// A read-only memory map of a whole regular file (anything else, a FIFO
// included, is refused with InvalidArgument without blocking). Movable, not
// copyable; the bytes live as long as the MappedFile. Thread-safe for
// concurrent reads.
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path, MapPolicy policy = MapPolicy::kLazy);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

// Writes `path` so that readers see either the old file or the complete new
// one: bytes go to "path.tmp", Commit() fsyncs and renames. Destroying an
// uncommitted writer removes the temporary file. A `path` that exists and is
// neither a regular file nor a directory (a device such as /dev/stdout or
// /dev/full, a FIFO) is written in place, in order (WriteAt there is an
// IOError), and kept: nothing is renamed over it. Not thread-safe.
class AtomicFileWriter {
 public:
  AtomicFileWriter() = default;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();

  Status Open(const std::string& path);
  Status Append(std::string_view bytes);
  // Pads with zero bytes up to a multiple of `alignment`.
  Status PadTo(uint64_t alignment);
  uint64_t offset() const { return offset_; }
  // Overwrites bytes already appended (a header written last), at `offset`.
  Status WriteAt(uint64_t offset, std::string_view bytes);
  // Asks the kernel to start writing what was appended to disk, without
  // waiting, so that Commit's fsync has little left to do.
  void StartWriteback();
  Status Commit();

 private:
  Status WriteFully(uint64_t offset, std::string_view bytes);

  std::string path_;
  std::string tmp_path_;  // the path written to: `path_` itself when in place
  bool in_place_ = false;
  int fd_ = -1;
  uint64_t offset_ = 0;
};

}  // namespace unspin

#endif  // UNSPIN_BASE_FILE_H_
