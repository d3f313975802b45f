#include "unspin/vocab/vocabulary.h"

#include <gtest/gtest.h>

#include <random>

namespace unspin {
namespace {

TEST(VocabularyTest, ReservedIdsComeFirst) {
  VocabularyBuilder builder;
  EXPECT_EQ(builder.Word(kUnknownWord), "<unk>");
  EXPECT_EQ(builder.Word(kSentenceBegin), "<s>");
  EXPECT_EQ(builder.Word(kSentenceEnd), "</s>");
}

TEST(VocabularyTest, SerializedViewAgreesWithBuilderOnRandomWords) {
  std::mt19937 rng(7);
  VocabularyBuilder builder;
  std::vector<std::string> words;
  for (int i = 0; i < 5000; ++i) {
    std::string word;
    int length = 1 + static_cast<int>(rng() % 12);
    for (int j = 0; j < length; ++j) word += static_cast<char>('a' + rng() % 26);
    words.push_back(word);
    builder.Intern(word);
  }
  std::string section = builder.Serialize();
  Result<Vocabulary> vocab = Vocabulary::Open(section);
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  EXPECT_EQ(vocab->size(), builder.size());
  for (const std::string& word : words) {
    std::optional<WordId> id = vocab->Find(word);
    ASSERT_TRUE(id.has_value()) << word;
    EXPECT_EQ(*id, *builder.Find(word));
    EXPECT_EQ(vocab->Word(*id), word);
  }
  EXPECT_FALSE(vocab->Find("NOT-A-WORD").has_value());
}

TEST(VocabularyTest, TruncatedSectionIsCorruption) {
  VocabularyBuilder builder;
  builder.Intern("alpha");
  builder.Intern("beta");
  std::string section = builder.Serialize();
  for (size_t size = 0; size < section.size(); ++size) {
    Result<Vocabulary> vocab = Vocabulary::Open(std::string_view(section).substr(0, size));
    ASSERT_FALSE(vocab.ok()) << size;
    EXPECT_EQ(vocab.status().code(), StatusCode::kCorruption);
  }
}

}  // namespace
}  // namespace unspin
