#include "unspin/base/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace unspin {
namespace {

Status ReadAll(int fd, const std::string& name, uint64_t max_bytes, std::string* out) {
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read " + name, errno);
    }
    if (n == 0) return Status::Ok();
    if (out->size() + static_cast<uint64_t>(n) > max_bytes)
      return TooLargeError(name, 0, max_bytes);
    out->append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

Status TooLargeError(const std::string& name, uint64_t size, uint64_t max_bytes) {
  const std::string limit =
      std::to_string(max_bytes) + " bytes (" + std::to_string(max_bytes >> 20) + " MiB)";
  if (size == 0) return ResourceExhaustedError(name + " is over the limit of " + limit);
  return ResourceExhaustedError(name + " is " + std::to_string(size) +
                                " bytes, over the limit of " + limit);
}

Result<std::string> ReadFileOrStdin(const std::string& path, uint64_t max_bytes) {
  const bool standard_input = path == "-";
  const std::string name = standard_input ? "standard input" : path;
  int fd = STDIN_FILENO;
  if (!standard_input) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return NotFoundError(path + ": no such file");
      return ErrnoError("cannot open " + path, errno);
    }
  }
  struct Closer {
    int fd;
    bool owned;
    ~Closer() {
      if (owned) ::close(fd);
    }
  } closer{fd, !standard_input};
  // A regular file (standard input redirected from one too) tells its size:
  // one over the limit is refused before a byte of it is read.
  struct stat info {};
  uint64_t size = 0;
  if (::fstat(fd, &info) == 0) {
    if (S_ISDIR(info.st_mode)) return ErrnoError("cannot read " + name, EISDIR);
    if (S_ISREG(info.st_mode)) {
      const off_t at = ::lseek(fd, 0, SEEK_CUR);
      size = static_cast<uint64_t>(std::max<off_t>(info.st_size - std::max<off_t>(at, 0), 0));
      if (size > max_bytes) return TooLargeError(name, size, max_bytes);
    }
  }
  std::string content;
  content.reserve(static_cast<size_t>(size));
  UNSPIN_RETURN_IF_ERROR(ReadAll(fd, name, max_bytes, &content));
  return content;
}

namespace {

// Opens `path` for reading if it is a regular file. O_NONBLOCK: opening a
// FIFO waits for a writer, and a model or index named by mistake as one must
// be refused, not hang; it changes nothing for a regular file.
Result<int> OpenRegularFile(const std::string& path, struct stat* info) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError(path + ": no such file");
    return ErrnoError("cannot open " + path, errno);
  }
  if (::fstat(fd, info) != 0) {
    int saved = errno;
    ::close(fd);
    return ErrnoError("cannot stat " + path, saved);
  }
  if (!S_ISREG(info->st_mode)) {
    ::close(fd);
    return InvalidArgumentError(path + " is not a regular file");
  }
  return fd;
}

}  // namespace

Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_bytes) {
  struct stat info {};
  UNSPIN_ASSIGN_OR_RETURN(int fd, OpenRegularFile(path, &info));
  std::string content;
  if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    ::close(fd);
    return TooLargeError(path, static_cast<uint64_t>(info.st_size), max_bytes);
  }
  content.reserve(static_cast<size_t>(info.st_size));
  Status status = ReadAll(fd, path, max_bytes, &content);
  ::close(fd);
  if (!status.ok()) return status;
  return content;
}

Result<MappedFile> MappedFile::Open(const std::string& path, MapPolicy policy) {
  struct stat info {};
  UNSPIN_ASSIGN_OR_RETURN(int fd, OpenRegularFile(path, &info));
  MappedFile file;
  file.path_ = path;
  file.size_ = static_cast<size_t>(info.st_size);
  if (file.size_ > 0) {
    int flags = MAP_PRIVATE | (policy == MapPolicy::kPopulate ? MAP_POPULATE : 0);
    void* data = ::mmap(nullptr, file.size_, PROT_READ, flags, fd, 0);
    if (data == MAP_FAILED) {
      int saved = errno;
      ::close(fd);
      return ErrnoError("cannot map " + path, saved);
    }
    file.data_ = static_cast<const char*>(data);
  }
  ::close(fd);
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(other.data_), size_(other.size_), path_(std::move(other.path_)) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    data_ = other.data_;
    size_ = other.size_;
    path_ = std::move(other.path_);
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!in_place_) ::unlink(tmp_path_.c_str());
  }
}

Status AtomicFileWriter::Open(const std::string& path) {
  UNSPIN_CHECK(fd_ < 0);
  path_ = path;
  offset_ = 0;
  // A device or a pipe (/dev/stdout, /dev/full, a FIFO) is written in
  // place: a file renamed over it would replace it (as root, the device).
  struct stat info {};
  in_place_ = ::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode);
  tmp_path_ = in_place_ ? path : path + ".tmp";
  fd_ = in_place_ ? ::open(path.c_str(), O_WRONLY | O_CLOEXEC)
                  : ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return ErrnoError((in_place_ ? "cannot open " : "cannot create ") + tmp_path_, errno);
  return Status::Ok();
}

// Writes all of `bytes` at `offset`, through short writes and interrupts (in
// place: in order, at the stream's position).
Status AtomicFileWriter::WriteFully(uint64_t offset, std::string_view bytes) {
  if (in_place_ && offset != offset_) {
    return IOError("cannot write " + path_ + " out of order: it is not a regular file");
  }
  while (!bytes.empty()) {
    ssize_t n = in_place_ ? ::write(fd_, bytes.data(), bytes.size())
                          : ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot write " + tmp_path_, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status AtomicFileWriter::Append(std::string_view bytes) {
  UNSPIN_CHECK(fd_ >= 0);
  UNSPIN_RETURN_IF_ERROR(WriteFully(offset_, bytes));
  offset_ += bytes.size();
  return Status::Ok();
}

Status AtomicFileWriter::WriteAt(uint64_t offset, std::string_view bytes) {
  UNSPIN_CHECK(fd_ >= 0);
  UNSPIN_CHECK(offset + bytes.size() <= offset_);
  return WriteFully(offset, bytes);
}

void AtomicFileWriter::StartWriteback() {
  UNSPIN_CHECK(fd_ >= 0);
  ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);  // advisory: errors surface at fsync
}

Status AtomicFileWriter::PadTo(uint64_t alignment) {
  static const char kZeros[64] = {};
  while (offset_ % alignment != 0) {
    uint64_t missing = alignment - offset_ % alignment;
    UNSPIN_RETURN_IF_ERROR(
        Append(std::string_view(kZeros, missing < sizeof kZeros ? missing : sizeof kZeros)));
  }
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  UNSPIN_CHECK(fd_ >= 0);
  if (in_place_) {
    const int closed = ::close(fd_);
    fd_ = -1;
    return closed == 0 ? Status::Ok() : ErrnoError("cannot close " + path_, errno);
  }
  if (::fsync(fd_) != 0) return ErrnoError("cannot sync " + tmp_path_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return ErrnoError("cannot close " + tmp_path_, errno);
  }
  fd_ = -1;
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp_path_.c_str());
    return ErrnoError("cannot rename " + tmp_path_ + " to " + path_, saved);
  }
  std::string dir =
      path_.substr(0, path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/'));
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace unspin
