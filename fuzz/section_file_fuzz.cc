// libFuzzer target for SectionFile::Open: the input bytes as a file, opened
// with and without section checksums, and every section of an accepted file
// read end to end.
//
// Input: byte 0 selects the mode. Even: the rest is the file as is. Odd: the
// rest edits a small valid file (built once with SectionFileWriter): bit 1
// truncates it to the length in the next two bytes, then each group of 4 bytes
// (u24 offset, u8 mask) XORs one byte; bit 2 then recomputes the header CRC so
// the edits reach the section table checks. Run with scripts/fuzz.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz_util.h"
#include "unspin/base/crc32c.h"
#include "unspin/base/section_file.h"

namespace {

using unspin::fuzz::MutateSeed;
using unspin::fuzz::Require;
using unspin::fuzz::TempPath;

constexpr unspin::FileMagic kMagic = {'U', 'N', 'S', 'P', 'F', 'U', 'Z', 'Z'};
constexpr uint32_t kVersion = 3;

const std::string& ValidFile() {
  static const std::string* file = [] {
    unspin::SectionFileWriter writer(kMagic, kVersion);
    writer.Add(unspin::SectionTag("AAAA"), "first section");
    writer.Add(unspin::SectionTag("BBBB"), std::string(100, 'b'));
    writer.Add(unspin::SectionTag("EMPT"), "");
    const std::string path = TempPath("section_file_seed");
    Require(writer.Write(path).ok());
    std::ifstream in(path, std::ios::binary);
    auto* bytes = new std::string(std::istreambuf_iterator<char>(in), {});
    std::remove(path.c_str());
    return bytes;
  }();
  return *file;
}

void ReadAll(const unspin::SectionFile& file) {
  uint64_t sum = 0;
  for (const unspin::SectionInfo& info : file.sections()) {
    unspin::Result<std::string_view> bytes = file.Section(info.tag);
    Require(bytes.ok() && bytes->size() == info.size);
    Require(info.offset % unspin::kSectionAlignment == 0 &&
            info.offset + info.size <= file.file_size());
    for (char c : *bytes) sum += static_cast<unsigned char>(c);
  }
  Require(sum <= 255 * file.file_size());
  constexpr uint32_t kAbsent = unspin::SectionTag("none");
  bool listed = false;
  for (const unspin::SectionInfo& info : file.sections()) listed = listed || info.tag == kAbsent;
  Require(file.Section(kAbsent).ok() == listed);
}

// The file each input is written to, removed at exit.
struct InputFile {
  std::string path = TempPath("section_file_fuzz");
  ~InputFile() { std::remove(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static InputFile input;
  const std::string* path = &input.path;
  const std::string bytes = MutateSeed(ValidFile(), data, size);
  {
    std::FILE* out = std::fopen(path->c_str(), "wb");
    Require(out != nullptr);
    Require(std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size());
    Require(std::fclose(out) == 0);
  }
  for (unspin::VerifyChecksums verify :
       {unspin::VerifyChecksums::kNo, unspin::VerifyChecksums::kYes}) {
    unspin::Result<unspin::SectionFile> file =
        unspin::SectionFile::Open(*path, kMagic, kVersion, verify);
    if (file.ok()) {
      Require(file->file_size() == bytes.size());
      ReadAll(*file);
    }
  }
  return 0;
}
