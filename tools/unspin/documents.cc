#include "documents.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "unspin/extract/records.h"

namespace unspin::cli {
namespace {

constexpr uint64_t kMaxDocumentBytes = uint64_t{1} << 30;

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
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    // Reading a directory fails with EISDIR (an exception from the filebuf).
    if (std::error_code ignored; std::filesystem::is_directory(path, ignored)) {
      return ErrnoError("cannot read " + path, EISDIR);
    }
    file.open(path, std::ios::binary);
    if (!file) return NotFoundError("cannot open " + path);
    in = &file;
  }
  // Sniff: JSONL starts with '{' after white space.
  int first = 0;
  while ((first = in->peek()) != EOF && std::isspace(first)) in->get();
  if (first != '{') {
    std::string text((std::istreambuf_iterator<char>(*in)), std::istreambuf_iterator<char>());
    if (in->bad()) return IOError("cannot read " + path);
    if (text.size() > kMaxDocumentBytes) {
      ReportSkipped(path, 1, "document over 1 GiB", counts);
      return Status::Ok();
    }
    take({path, std::move(text), 1, false});
    return Status::Ok();
  }
  // Lines are cut out of 1 MiB blocks (getline is several times slower).
  constexpr size_t kBlockBytes = size_t{1} << 20;
  std::vector<char> block(kBlockBytes);
  std::string line;
  uint64_t line_number = 0;
  auto emit = [&] {
    ++line_number;
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      take({path, std::move(line), line_number, true});
    }
    line.clear();
  };
  while (*in) {
    in->read(block.data(), static_cast<std::streamsize>(block.size()));
    const size_t got = static_cast<size_t>(in->gcount());
    size_t start = 0;
    while (start < got) {
      const void* newline = std::memchr(block.data() + start, '\n', got - start);
      const size_t end =
          newline == nullptr
              ? got
              : static_cast<size_t>(static_cast<const char*>(newline) - block.data());
      line.append(block.data() + start, end - start);
      if (newline == nullptr) break;
      emit();
      start = end + 1;
    }
  }
  if (in->bad()) return IOError("cannot read " + path);
  if (!line.empty()) emit();
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
