#include "unspin/extract/format.h"

#include <string>

namespace unspin::extract {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kText:
      return "text";
    case InputFormat::kHtml:
      return "html";
  }
  return "text";
}

Result<InputFormat> ParseInputFormat(std::string_view name) {
  if (name == "text") return InputFormat::kText;
  if (name == "html") return InputFormat::kHtml;
  return InvalidArgumentError("unknown input format \"" + std::string(name) +
                              "\" (use text or html)");
}

InputFormat DetectFormat(std::string_view input) {
  std::string_view head = input.substr(0, 1024);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  size_t i = 0;
  while (i < head.size() && IsSpace(head[i])) ++i;
  std::string lower;
  lower.reserve(head.size() - i);
  for (size_t k = i; k < head.size(); ++k) lower.push_back(Lower(head[k]));
  std::string_view rest = lower;
  // Leading comments (<!-- ... -->) before the document proper.
  while (rest.substr(0, 4) == "<!--") {
    size_t end = rest.find("-->");
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 3);
    while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  }
  for (std::string_view start : {"<!doctype html", "<html", "<head", "<body", "<?xml"}) {
    if (rest.substr(0, start.size()) == start) return InputFormat::kHtml;
  }
  // A fragment: a block tag before the first line of prose ends.
  static constexpr std::string_view kTags[] = {
      "<div",  "<p>",  "<p ",   "<article", "<section", "<meta",   "<title", "<h1",
      "<h2",   "<ul",  "<ol",   "<table",   "<span",    "<a ",     "<br",    "<main",
      "<link", "<img", "<form", "<script",  "<style",   "<header", "<nav"};
  size_t first_line = rest.find('\n');
  std::string_view start = rest.substr(0, first_line);
  if (!start.empty() && start.front() == '<') {
    for (std::string_view tag : kTags) {
      if (start.find(tag) != std::string_view::npos) return InputFormat::kHtml;
    }
  }
  return InputFormat::kText;
}

}  // namespace unspin::extract
