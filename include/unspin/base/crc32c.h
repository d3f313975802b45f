// CRC32C (Castagnoli), the checksum of every unspin data file section.
// Uses the SSE4.2 instruction when the CPU has it, a table otherwise; both
// give the same value.
#ifndef UNSPIN_BASE_CRC32C_H_
#define UNSPIN_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace unspin {

// Extends `crc` (0 to start) over `size` bytes at `data`. Thread-safe.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

inline uint32_t Crc32c(std::string_view bytes) {
  return Crc32cExtend(0, bytes.data(), bytes.size());
}

}  // namespace unspin

#endif  // UNSPIN_BASE_CRC32C_H_
