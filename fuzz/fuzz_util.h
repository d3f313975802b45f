// Helpers shared by the libFuzzer targets in this directory.
#ifndef UNSPIN_FUZZ_FUZZ_UTIL_H_
#define UNSPIN_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace unspin::fuzz {

// An invariant the target checks; abort() makes libFuzzer keep the input.
inline void Require(bool condition) {
  if (!condition) std::abort();
}

// Files go to /dev/shm when it exists: tmpfs, so a write per input stays cheap.
inline std::string TempPath(const std::string& name) {
  std::filesystem::path dir = std::filesystem::is_directory("/dev/shm")
                                  ? "/dev/shm"
                                  : std::filesystem::temp_directory_path();
  return (dir / ("unspin_" + name + "_" + std::to_string(::getpid()))).string();
}

// The fuzz input as raw bytes (first byte even), or as edits of a valid
// `seed` (first byte odd): an optional truncation, then 4-byte XOR patches.
inline std::string MutateSeed(const std::string& seed, const uint8_t* data, size_t size) {
  if (size == 0 || (data[0] & 1) == 0) {
    return size == 0 ? std::string()
                     : std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  }
  std::string bytes = seed;
  size_t pos = 1;
  if ((data[0] & 2) != 0 && size >= 3) {
    bytes.resize((data[1] | size_t{data[2]} << 8) % (bytes.size() + 1));
    pos = 3;
  }
  for (; pos + 4 <= size && !bytes.empty(); pos += 4) {
    size_t offset = (data[pos] | size_t{data[pos + 1]} << 8 | size_t{data[pos + 2]} << 16);
    bytes[offset % bytes.size()] ^= static_cast<char>(data[pos + 3]);
  }
  return bytes;
}

}  // namespace unspin::fuzz

#endif  // UNSPIN_FUZZ_FUZZ_UTIL_H_
