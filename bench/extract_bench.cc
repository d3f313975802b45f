// Record reader throughput: documents out of a .warc.gz (gzip member per
// record), the same WARC uncompressed, and JSONL, all in memory, so the
// numbers are parsing and inflating only (no disk). The WARC is the labelled
// set of tests/data/scan repeated 40 times (bench/make_warc_set.py).
// Run: build/bench/bench/extract_bench (after scripts/build bench).
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "unspin/extract/records.h"

namespace unspin {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Gunzip(const std::string& gz) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  char chunk[1 << 16];
  while (z.avail_in > 0) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    int rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
    if (rc == Z_STREAM_END) {
      inflateReset(&z);
    } else if (rc != Z_OK) {
      break;
    }
  }
  inflateEnd(&z);
  return out;
}

const std::string& WarcGz() {
  static const std::string data = [] {
    std::string one =
        ReadFile(std::string(UNSPIN_SOURCE_DIR) + "/tests/data/scan/labelled.warc.gz");
    std::string many;
    for (int i = 0; i < 40; ++i) many += one;
    return many;
  }();
  return data;
}

void ReadAll(benchmark::State& state, const std::string& bytes, uint64_t counted_bytes) {
  uint64_t documents = 0;
  for (auto _ : state) {
    auto reader = extract::RecordReader::FromBytes(bytes, "bench");
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      return;
    }
    extract::Document doc;
    for (;;) {
      auto more = (*reader)->Next(&doc);
      if (!more.ok() || !*more) break;
      ++documents;
      benchmark::DoNotOptimize(doc.content.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(counted_bytes * state.iterations()));
  state.counters["docs/s"] =
      benchmark::Counter(static_cast<double>(documents), benchmark::Counter::kIsRate);
}

// Bytes: compressed input.
void BM_ReadWarcGzip(benchmark::State& state) { ReadAll(state, WarcGz(), WarcGz().size()); }
BENCHMARK(BM_ReadWarcGzip)->Unit(benchmark::kMillisecond);

void BM_ReadWarcPlain(benchmark::State& state) {
  static const std::string plain = Gunzip(WarcGz());
  ReadAll(state, plain, plain.size());
}
BENCHMARK(BM_ReadWarcPlain)->Unit(benchmark::kMillisecond);

// The documents of the WARC as JSONL lines {"url", "html"|"text"}.
void BM_ReadJsonl(benchmark::State& state) {
  static const std::string jsonl = [] {
    std::string out;
    auto reader = extract::RecordReader::FromBytes(WarcGz(), "bench");
    if (!reader.ok()) return out;
    extract::Document doc;
    for (;;) {
      auto more = (*reader)->Next(&doc);
      if (!more.ok() || !*more) break;
      nlohmann::json line = {{"url", doc.id},
                             {doc.format == extract::InputFormat::kHtml ? "html" : "text",
                              extract::Windows1252ToUtf8(doc.content)}};
      out += line.dump() + "\n";
    }
    return out;
  }();
  ReadAll(state, jsonl, jsonl.size());
}
BENCHMARK(BM_ReadJsonl)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace unspin

BENCHMARK_MAIN();
