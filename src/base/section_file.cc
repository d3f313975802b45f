// Invariants: every section starts at a multiple of kSectionAlignment from the
// start of the file (so an mmap base, page aligned, gives aligned arrays), and
// lies entirely inside the file; tags are unique.
#include "unspin/base/section_file.h"

#include <algorithm>
#include <cstring>

#include "unspin/base/crc32c.h"

namespace unspin {
namespace {

uint64_t AlignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint32_t HeaderSize(size_t sections) {
  return static_cast<uint32_t>(sizeof(FileHeader) + sections * sizeof(SectionEntry));
}

// The file header followed by the section table, with the header checksum
// over both: the first bytes of every section file.
std::string HeaderBytes(const FileMagic& magic, uint32_t version,
                        const std::vector<SectionEntry>& entries) {
  FileHeader header{};
  header.magic = magic;
  header.version = version;
  header.header_size = HeaderSize(entries.size());
  header.abi_one = 1;
  header.abi_minus_half = -0.5f;
  header.section_count = static_cast<uint32_t>(entries.size());
  std::string head(reinterpret_cast<const char*>(&header), sizeof header);
  head.append(reinterpret_cast<const char*>(entries.data()), entries.size() * sizeof(SectionEntry));
  uint32_t crc = Crc32c(head);
  std::memcpy(head.data() + offsetof(FileHeader, header_crc), &crc, sizeof crc);
  return head;
}

std::string MagicText(const FileMagic& magic) {
  std::string text;
  for (char c : magic) text += (c >= 0x20 && c < 0x7f) ? c : '?';
  return text;
}

}  // namespace

std::string SectionTagName(uint32_t tag) {
  std::string name;
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>((tag >> (8 * i)) & 0xFFu);
    name += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return name;
}

void SectionFileWriter::Add(uint32_t tag, std::string bytes) {
  for (const auto& [existing, unused] : sections_) UNSPIN_CHECK(existing != tag);
  sections_.emplace_back(tag, std::move(bytes));
}

Status SectionFileWriter::Write(const std::string& path) const {
  std::vector<SectionEntry> entries;
  uint64_t offset = AlignUp(HeaderSize(sections_.size()), kSectionAlignment);
  for (const auto& [tag, bytes] : sections_) {
    SectionEntry entry{};
    entry.tag = tag;
    entry.crc = Crc32c(bytes);
    entry.offset = offset;
    entry.size = bytes.size();
    entries.push_back(entry);
    offset = AlignUp(offset + bytes.size(), kSectionAlignment);
  }
  const std::string head = HeaderBytes(magic_, version_, entries);

  AtomicFileWriter out;
  UNSPIN_RETURN_IF_ERROR(out.Open(path));
  UNSPIN_RETURN_IF_ERROR(out.Append(head));
  for (const auto& [tag, bytes] : sections_) {
    UNSPIN_RETURN_IF_ERROR(out.PadTo(kSectionAlignment));
    UNSPIN_RETURN_IF_ERROR(out.Append(bytes));
  }
  return out.Commit();
}

Result<SectionFile> SectionFile::Open(const std::string& path, FileMagic magic, uint32_t version,
                                      VerifyChecksums verify, MapPolicy policy) {
  UNSPIN_ASSIGN_OR_RETURN(MappedFile map, MappedFile::Open(path, policy));
  std::string_view bytes = map.bytes();
  if (bytes.size() < sizeof(FileHeader)) {
    return CorruptionError(path + ": file is " + std::to_string(bytes.size()) +
                           " bytes, too short for a header; rebuild it");
  }
  FileHeader header;
  std::memcpy(&header, bytes.data(), sizeof header);
  if (header.magic != magic) {
    return CorruptionError(path + ": not a " + MagicText(magic) + " file (magic is \"" +
                           MagicText(header.magic) + "\")");
  }
  if (header.abi_one != 1 || header.abi_minus_half != -0.5f) {
    return CorruptionError(path + ": written on a machine with another byte order or float format");
  }
  if (header.version != version) {
    return VersionMismatchError(path + ": format version " + std::to_string(header.version) +
                                ", this unspin reads version " + std::to_string(version) +
                                "; rebuild the file with this unspin");
  }
  uint64_t table_end = sizeof(FileHeader) + uint64_t{header.section_count} * sizeof(SectionEntry);
  if (header.header_size != table_end || table_end > bytes.size()) {
    return CorruptionError(path + ": section table is truncated or has a bad size");
  }
  std::string head(bytes.substr(0, table_end));
  std::memset(head.data() + offsetof(FileHeader, header_crc), 0, sizeof(uint32_t));
  if (Crc32c(head) != header.header_crc) {
    return CorruptionError(path + ": header checksum mismatch; the file is damaged, rebuild it");
  }
  SectionFile file;
  for (uint32_t i = 0; i < header.section_count; ++i) {
    SectionEntry entry;
    std::memcpy(&entry, bytes.data() + sizeof(FileHeader) + i * sizeof(SectionEntry), sizeof entry);
    std::string name = SectionTagName(entry.tag);
    if (entry.offset % kSectionAlignment != 0 || entry.offset > bytes.size() ||
        entry.size > bytes.size() - entry.offset) {
      return CorruptionError(path + ": section " + name + " lies outside the file (offset " +
                             std::to_string(entry.offset) + ", size " + std::to_string(entry.size) +
                             ", file " + std::to_string(bytes.size()) +
                             " bytes); the file is truncated");
    }
    for (const SectionInfo& seen : file.sections_) {
      if (seen.tag == entry.tag) return CorruptionError(path + ": section " + name + " repeats");
    }
    if (verify == VerifyChecksums::kYes &&
        Crc32c(bytes.substr(entry.offset, entry.size)) != entry.crc) {
      return CorruptionError(path + ": checksum mismatch in section " + name + " at byte " +
                             std::to_string(entry.offset) + "; the file is damaged, rebuild it");
    }
    file.sections_.push_back({entry.tag, entry.offset, entry.size, entry.crc});
  }
  file.map_ = std::move(map);
  return file;
}

Status SectionStreamWriter::Open(const std::string& path) {
  UNSPIN_RETURN_IF_ERROR(out_.Open(path));
  return out_.Append(std::string(HeaderSize(section_count_), '\0'));
}

Status SectionStreamWriter::BeginSection(uint32_t tag) {
  UNSPIN_CHECK(entries_.size() < section_count_);
  for (const SectionEntry& entry : entries_) UNSPIN_CHECK(entry.tag != tag);
  UNSPIN_RETURN_IF_ERROR(out_.PadTo(kSectionAlignment));
  SectionEntry entry{};
  entry.tag = tag;
  entry.offset = out_.offset();
  entries_.push_back(entry);
  open_section_ = true;
  return Status::Ok();
}

Status SectionStreamWriter::Append(std::string_view bytes) {
  UNSPIN_CHECK(open_section_);
  SectionEntry& entry = entries_.back();
  entry.crc = Crc32cExtend(entry.crc, bytes.data(), bytes.size());
  entry.size += bytes.size();
  return out_.Append(bytes);
}

Status SectionStreamWriter::AddSection(uint32_t tag, std::string_view bytes) {
  UNSPIN_RETURN_IF_ERROR(BeginSection(tag));
  return Append(bytes);
}

uint64_t SectionStreamWriter::section_size() const {
  return open_section_ ? entries_.back().size : 0;
}

Status SectionStreamWriter::Commit() {
  UNSPIN_CHECK(entries_.size() == section_count_);
  const std::string head = HeaderBytes(magic_, version_, entries_);
  UNSPIN_RETURN_IF_ERROR(out_.WriteAt(0, head));
  return out_.Commit();
}

Status SectionFile::VerifySection(uint32_t tag) const {
  for (const SectionInfo& info : sections_) {
    if (info.tag != tag) continue;
    if (Crc32c(map_.bytes().substr(info.offset, info.size)) != info.crc) {
      return CorruptionError(path() + ": checksum mismatch in section " + SectionTagName(tag) +
                             " at byte " + std::to_string(info.offset) +
                             "; the file is damaged, rebuild it");
    }
    return Status::Ok();
  }
  return NotFoundError(path() + ": no section " + SectionTagName(tag));
}

Result<std::string_view> SectionFile::Section(uint32_t tag) const {
  for (const SectionInfo& info : sections_) {
    if (info.tag == tag) return map_.bytes().substr(info.offset, info.size);
  }
  return NotFoundError(map_.path() + ": no section " + SectionTagName(tag));
}

Status ByteSource::Truncated(uint64_t wanted) const {
  return CorruptionError(what_ + ": truncated at byte " + std::to_string(pos_) + " (wanted " +
                         std::to_string(wanted) + " more bytes, " +
                         std::to_string(bytes_.size() - pos_) + " left)");
}

Status ByteSource::Misaligned() const {
  return CorruptionError(what_ + ": misaligned array at byte " + std::to_string(pos_));
}

}  // namespace unspin
