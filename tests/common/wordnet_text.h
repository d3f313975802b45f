// English text for tests that need a lot of it, made from Debian's WordNet
// (wordnet-base, which scripts/setup installs and the default model is built
// from): every synset's gloss, its definition and example sentences written
// out as sentences, in the order of the data files.
//
//   for (const test_data::Document& document : test_data::WordNetDocuments(30)) ...
//   for (const std::string& sentence : test_data::WordNetExamples()) ...
//
// Documents are runs of consecutive glosses, so neighbouring documents share
// a topic and its vocabulary (a lexicographer file: animals, artefacts,
// motion verbs...) but never a sentence. They are deterministic: document k
// is the same text on every machine with the same WordNet.
#ifndef UNSPIN_TESTS_COMMON_WORDNET_TEXT_H_
#define UNSPIN_TESTS_COMMON_WORDNET_TEXT_H_

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace unspin::test_data {

inline constexpr const char* kWordNetDir = "/usr/share/wordnet";

struct Gloss {
  std::vector<std::string> definitions;  // each a sentence: capitalised, ending in '.'
  std::vector<std::string> examples;     // the quoted examples, as sentences
};

namespace internal {

inline std::string AsSentence(std::string part) {
  while (!part.empty() && (part.back() == ' ' || part.back() == ';')) part.pop_back();
  while (!part.empty() && part.front() == ' ') part.erase(0, 1);
  if (part.empty()) return part;
  if (part.front() >= 'a' && part.front() <= 'z')
    part.front() = static_cast<char>(part.front() - 32);
  const char last = part.back();
  if (last != '.' && last != '!' && last != '?') part += '.';
  return part;
}

inline bool IsAscii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// "heave or utter a sigh; breathe deeply; \"She sighed sadly\"": the parts
// between semicolons, quoted ones as examples.
inline Gloss ParseGloss(const std::string& gloss) {
  Gloss parsed;
  std::string part;
  bool quoted = false;
  auto flush = [&](bool example) {
    std::string sentence = AsSentence(part);
    part.clear();
    if (sentence.size() < 2) return;
    (example ? parsed.examples : parsed.definitions).push_back(std::move(sentence));
  };
  for (char c : gloss) {
    if (c == '"') {
      if (quoted)
        flush(/*example=*/true);
      else
        flush(/*example=*/false);
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      flush(/*example=*/false);
    } else {
      part += c;
    }
  }
  flush(quoted);
  return parsed;
}

}  // namespace internal

// Every gloss of data.noun, data.verb, data.adj and data.adv, in that order
// (ASCII ones only: a handful carry Latin-1 bytes). Aborts when WordNet is
// not installed: the tests that use it cannot say anything without it.
inline const std::vector<Gloss>& WordNetGlosses() {
  static const std::vector<Gloss>* const kGlosses = [] {
    auto* glosses = new std::vector<Gloss>;
    for (const char* name : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
      const std::string path = std::string(kWordNetDir) + "/" + name;
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::cerr << path << " not found: install wordnet-base (scripts/setup)\n";
        std::abort();
      }
      for (std::string line; std::getline(in, line);) {
        if (line.starts_with("  ")) continue;  // the licence header
        const size_t bar = line.find(" | ");
        if (bar == std::string::npos || !internal::IsAscii(line)) continue;
        glosses->push_back(internal::ParseGloss(line.substr(bar + 3)));
      }
    }
    return glosses;
  }();
  return *kGlosses;
}

// Every example sentence of WordNet, in file order ("She sighed sadly.").
inline const std::vector<std::string>& WordNetExamples() {
  static const std::vector<std::string>* const kExamples = [] {
    auto* examples = new std::vector<std::string>;
    for (const Gloss& gloss : WordNetGlosses()) {
      examples->insert(examples->end(), gloss.examples.begin(), gloss.examples.end());
    }
    return examples;
  }();
  return *kExamples;
}

struct Document {
  std::string id;
  std::string text;
};

// Sizes cycle through this list (bytes, at least): short notes to long
// articles, so that every run of six documents has two over 20 KB.
inline constexpr size_t kDocumentBytes[] = {3000, 24000, 6000, 11000, 30000, 15000};

// Documents `skip` to `skip + count - 1` ("wordnet-0000"...): paragraphs of
// five glosses, definitions then examples, until the document's size.
// WordNet holds about 600 such documents; asking for more aborts.
inline std::vector<Document> WordNetDocuments(size_t count, size_t skip = 0) {
  const std::vector<Gloss>& glosses = WordNetGlosses();
  std::vector<Document> documents;
  size_t next = 0;
  for (size_t k = 0; k < skip + count; ++k) {
    const size_t target = kDocumentBytes[k % std::size(kDocumentBytes)];
    std::string text;
    while (text.size() < target) {
      if (next + 5 > glosses.size()) {
        std::cerr << "WordNet holds fewer than " << skip + count << " test documents\n";
        std::abort();
      }
      if (!text.empty()) text += "\n\n";
      std::string paragraph;
      for (size_t g = 0; g < 5; ++g, ++next) {
        for (const auto* sentences : {&glosses[next].definitions, &glosses[next].examples}) {
          for (const std::string& sentence : *sentences) {
            if (!paragraph.empty()) paragraph += ' ';
            paragraph += sentence;
          }
        }
      }
      text += paragraph;
    }
    text += '\n';
    if (k < skip) continue;
    std::string id = std::to_string(k);
    documents.push_back(
        {"wordnet-" + std::string(4 - std::min<size_t>(4, id.size()), '0') + id, std::move(text)});
  }
  return documents;
}

}  // namespace unspin::test_data

#endif  // UNSPIN_TESTS_COMMON_WORDNET_TEXT_H_
