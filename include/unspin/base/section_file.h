// The container every unspin data file uses: a fixed header, a table of
// checksummed 64-byte aligned sections, then the sections. Specified in
// docs/formats/section-file.md; this header is the one layout definition that
// both the writer and the reader use.
//
//   SectionFileWriter writer(kModelMagic, kModelVersion);
//   writer.Add(SectionTag("VOCB"), vocabulary_bytes);
//   UNSPIN_RETURN_IF_ERROR(writer.Write("model.bin"));
//
//   UNSPIN_ASSIGN_OR_RETURN(SectionFile file,
//                           SectionFile::Open("model.bin", kModelMagic, kModelVersion));
//   UNSPIN_ASSIGN_OR_RETURN(std::string_view vocab, file.Section(SectionTag("VOCB")));
#ifndef UNSPIN_BASE_SECTION_FILE_H_
#define UNSPIN_BASE_SECTION_FILE_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "unspin/base/file.h"
#include "unspin/base/status.h"

namespace unspin {

using FileMagic = std::array<char, 8>;

// A four-character section name packed little-endian into a u32.
constexpr uint32_t SectionTag(const char (&name)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(name[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(name[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(name[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(name[3])) << 24;
}
std::string SectionTagName(uint32_t tag);

inline constexpr uint64_t kSectionAlignment = 64;

// On-disk layout (little-endian). The header is followed by `section_count`
// SectionEntry records; `header_crc` covers both with header_crc set to 0.
struct FileHeader {
  FileMagic magic;
  uint32_t version;
  uint32_t header_size;  // bytes of FileHeader + section table
  uint32_t abi_one;      // 1: detects byte order
  float abi_minus_half;  // -0.5f: detects float format
  uint32_t section_count;
  uint32_t header_crc;
};
static_assert(sizeof(FileHeader) == 32);

struct SectionEntry {
  uint32_t tag;
  uint32_t crc;  // CRC32C of the section bytes
  uint64_t offset;
  uint64_t size;
  uint64_t reserved;
};
static_assert(sizeof(SectionEntry) == 32);

struct SectionInfo {
  uint32_t tag;
  uint64_t offset;
  uint64_t size;
  uint32_t crc = 0;  // CRC32C of the section bytes, as recorded in the file
};

class SectionFileWriter {
 public:
  SectionFileWriter(FileMagic magic, uint32_t version) : magic_(magic), version_(version) {}

  // Adds a section; tags must be unique.
  void Add(uint32_t tag, std::string bytes);
  // Writes path.tmp, fsyncs, renames to `path`.
  Status Write(const std::string& path) const;

 private:
  FileMagic magic_;
  uint32_t version_;
  std::vector<std::pair<uint32_t, std::string>> sections_;
};

// Writes a section file whose sections are appended one after another as
// their bytes arrive (sizes unknown in advance): room for the header and a
// table of `section_count` sections is reserved at the start and filled in
// by Commit. Same file format as SectionFileWriter; not thread-safe.
//
//   SectionStreamWriter out(kIndexMagic, kIndexVersion, 2);
//   UNSPIN_RETURN_IF_ERROR(out.Open("seg.usx"));
//   UNSPIN_RETURN_IF_ERROR(out.BeginSection(SectionTag("STRS")));
//   UNSPIN_RETURN_IF_ERROR(out.Append(text));  // as often as needed
//   UNSPIN_RETURN_IF_ERROR(out.AddSection(SectionTag("DOCS"), table_bytes));
//   UNSPIN_RETURN_IF_ERROR(out.Commit());      // header, fsync, rename
class SectionStreamWriter {
 public:
  SectionStreamWriter(FileMagic magic, uint32_t version, uint32_t section_count)
      : magic_(magic), version_(version), section_count_(section_count) {}
  Status Open(const std::string& path);
  // Ends the open section, if any, and starts section `tag` (unique).
  Status BeginSection(uint32_t tag);
  Status Append(std::string_view bytes);
  // BeginSection + Append.
  Status AddSection(uint32_t tag, std::string_view bytes);
  // Bytes appended to the open section so far.
  uint64_t section_size() const;
  // See AtomicFileWriter::StartWriteback.
  void StartWriteback() { out_.StartWriteback(); }
  // Exactly `section_count` sections must have been written.
  Status Commit();

 private:
  FileMagic magic_;
  uint32_t version_;
  uint32_t section_count_;
  AtomicFileWriter out_;
  std::vector<SectionEntry> entries_;
  bool open_section_ = false;
};

enum class VerifyChecksums : uint8_t { kYes, kNo };

// A mapped, validated section file. Views returned by Section() live as long
// as the SectionFile. Thread-safe for reads.
class SectionFile {
 public:
  // Checks magic, version, ABI probe, header CRC, bounds and alignment of every
  // section, and (kYes) each section's CRC. Errors: NotFound, IOError,
  // Corruption (bad magic, truncation, bad CRC), VersionMismatch.
  static Result<SectionFile> Open(const std::string& path, FileMagic magic, uint32_t version,
                                  VerifyChecksums verify = VerifyChecksums::kYes,
                                  MapPolicy policy = MapPolicy::kLazy);

  // The bytes of section `tag`, or NotFound.
  Result<std::string_view> Section(uint32_t tag) const;
  // Checks section `tag` against its recorded CRC32C (for files opened with
  // VerifyChecksums::kNo whose large sections are checked later, or piecewise).
  // Errors: NotFound, Corruption.
  Status VerifySection(uint32_t tag) const;
  const std::vector<SectionInfo>& sections() const { return sections_; }
  uint64_t file_size() const { return map_.bytes().size(); }
  const std::string& path() const { return map_.path(); }

 private:
  MappedFile map_;
  std::vector<SectionInfo> sections_;
};

// Appends POD values to a section under construction.
class ByteSink {
 public:
  template <typename T>
  void Put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  template <typename T>
  void PutArray(std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  }
  void PutBytes(std::string_view bytes) { bytes_.append(bytes); }
  void AlignTo(size_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back('\0');
  }
  size_t size() const { return bytes_.size(); }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Reads POD values from a section with bounds checks; a short read is Corruption.
class ByteSource {
 public:
  ByteSource(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  template <typename T>
  Status Get(T* value) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (bytes_.size() - pos_ < sizeof(T)) return Truncated(sizeof(T));
    std::memcpy(value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return Status::Ok();
  }
  // A view of `count` T values in place; requires alignof(T) alignment.
  template <typename T>
  Status GetArray(uint64_t count, std::span<const T>* out) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (count > (bytes_.size() - pos_) / sizeof(T)) return Truncated(count * sizeof(T));
    const char* start = bytes_.data() + pos_;
    if (reinterpret_cast<uintptr_t>(start) % alignof(T) != 0) return Misaligned();
    *out = std::span<const T>(reinterpret_cast<const T*>(start), count);
    pos_ += count * sizeof(T);
    return Status::Ok();
  }
  Status GetBytes(uint64_t count, std::string_view* out) {
    if (count > bytes_.size() - pos_) return Truncated(count);
    *out = bytes_.substr(pos_, count);
    pos_ += count;
    return Status::Ok();
  }
  void AlignTo(size_t alignment) {
    size_t misalign = pos_ % alignment;
    if (misalign != 0) pos_ = std::min(bytes_.size(), pos_ + alignment - misalign);
  }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  Status Truncated(uint64_t wanted) const;
  Status Misaligned() const;

  std::string_view bytes_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace unspin

#endif  // UNSPIN_BASE_SECTION_FILE_H_
