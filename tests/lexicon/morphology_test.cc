#include "lexicon/morphology.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lexicon/entry_text.h"

namespace unspin::lexicon::internal {
namespace {

using enum PartOfSpeech;
using enum Inflection;

TEST(MorphologyTest, RegularRules) {
  struct Case {
    const char* lemma;
    PartOfSpeech pos;
    Inflection inflection;
    const char* form;
  };
  const Case cases[] = {
      {"yard", kNoun, kPlural, "yards"},
      {"box", kNoun, kPlural, "boxes"},
      {"church", kNoun, kPlural, "churches"},
      {"city", kNoun, kPlural, "cities"},
      {"day", kNoun, kPlural, "days"},
      {"chairman", kNoun, kPlural, "chairmen"},
      {"human", kNoun, kPlural, "humans"},
      {"radio", kNoun, kPlural, "radios"},
      {"decline", kVerb, kPast, "declined"},
      {"decrease", kVerb, kPast, "decreased"},
      {"study", kVerb, kPast, "studied"},
      {"play", kVerb, kPast, "played"},
      {"stop", kVerb, kPast, "stopped"},
      {"visit", kVerb, kPast, "visited"},
      {"fix", kVerb, kPast, "fixed"},
      {"rain", kVerb, kPast, "rained"},
      {"quip", kVerb, kPast, "quipped"},
      {"fail", kVerb, kPastParticiple, "failed"},
      {"study", kVerb, kThirdPersonSingular, "studies"},
      {"watch", kVerb, kThirdPersonSingular, "watches"},
      {"echo", kVerb, kThirdPersonSingular, "echoes"},
      {"say", kVerb, kThirdPersonSingular, "says"},
      {"study", kVerb, kPresentParticiple, "studying"},
      {"make", kVerb, kPresentParticiple, "making"},
      {"see", kVerb, kPresentParticiple, "seeing"},
      {"die", kVerb, kPresentParticiple, "dying"},
      {"stop", kVerb, kPresentParticiple, "stopping"},
      {"big", kAdjective, kComparative, "bigger"},
      {"big", kAdjective, kSuperlative, "biggest"},
      {"large", kAdjective, kComparative, "larger"},
      {"happy", kAdjective, kSuperlative, "happiest"},
      {"cold", kAdjective, kComparative, "colder"},
      {"yard", kNoun, kBase, "yard"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RegularForm(c.lemma, c.pos, c.inflection), c.form) << c.lemma;
  }
}

TEST(MorphologyTest, Syllables) {
  EXPECT_EQ(CountSyllables("make"), 1);
  EXPECT_EQ(CountSyllables("free"), 1);
  EXPECT_EQ(CountSyllables("little"), 2);
  EXPECT_EQ(CountSyllables("happy"), 2);
  EXPECT_EQ(CountSyllables("beautiful"), 3);
  EXPECT_TRUE(TakesSuffixComparison("big"));
  EXPECT_TRUE(TakesSuffixComparison("happy"));
  EXPECT_FALSE(TakesSuffixComparison("beautiful"));
  EXPECT_TRUE(IsPlainWord("yard"));
  EXPECT_FALSE(IsPlainWord("o'clock"));
  EXPECT_FALSE(IsPlainWord("a"));
}

std::string Preferred(std::string_view lemma, PartOfSpeech pos, Inflection inflection,
                      std::vector<std::string> exceptions = {}, bool regular = true) {
  std::vector<SlotForms> slots;
  InflectLemma(lemma, pos, exceptions, regular, &slots);
  for (const SlotForms& slot : slots) {
    if (slot.inflection == inflection) return slot.preferred;
  }
  return "<none>";
}

TEST(MorphologyTest, PrefersIrregularAndUsSpellings) {
  EXPECT_EQ(Preferred("go", kVerb, kPast, {"went", "gone"}), "went");
  EXPECT_EQ(Preferred("go", kVerb, kPastParticiple), "gone");
  EXPECT_EQ(Preferred("be", kVerb, kThirdPersonSingular), "is");
  EXPECT_EQ(Preferred("have", kVerb, kThirdPersonSingular), "has");
  EXPECT_EQ(Preferred("understand", kVerb, kPast), "understood");
  // Prefix + irregular verb, only when the exception list confirms it.
  EXPECT_EQ(Preferred("outrun", kVerb, kPast, {"outran"}), "outran");
  EXPECT_NE(Preferred("outrun", kVerb, kPast), "outran");
  // Spelling variants from the exception list win over the rules...
  EXPECT_EQ(Preferred("admit", kVerb, kPast, {"admitted"}), "admitted");
  EXPECT_EQ(Preferred("panic", kVerb, kPresentParticiple, {"panicked", "panicking"}), "panicking");
  // ...except British doubling and British irregulars.
  EXPECT_EQ(Preferred("travel", kVerb, kPast, {"travelled"}), "traveled");
  EXPECT_EQ(Preferred("compel", kVerb, kPast, {"compelled"}), "compelled");
  EXPECT_EQ(Preferred("learn", kVerb, kPast, {"learnt"}), "learned");
  EXPECT_EQ(Preferred("benefit", kVerb, kPast, {"benefitted"}), "benefited");
  // Nouns and adjectives take the listed form, with a few archaic exceptions.
  EXPECT_EQ(Preferred("child", kNoun, kPlural, {"children"}), "children");
  EXPECT_EQ(Preferred("brother", kNoun, kPlural, {"brethren"}), "brothers");
  EXPECT_EQ(Preferred("good", kAdjective, kComparative, {"better", "best"}), "better");
  EXPECT_EQ(Preferred("bad", kAdjective, kComparative, {"worse", "worst"}), "worse");
  EXPECT_EQ(Preferred("bad", kAdjective, kSuperlative, {"worse", "worst"}), "worst");
  // No suffix comparison for long adjectives or plain adverbs; no rules for names.
  EXPECT_EQ(Preferred("beautiful", kAdjective, kComparative), "<none>");
  EXPECT_EQ(Preferred("quickly", kAdverb, kComparative), "<none>");
  EXPECT_EQ(Preferred("bacon", kNoun, kPlural, {}, /*regular=*/false), "<none>");
}

TEST(MorphologyTest, KeepsVariantsAsReadings) {
  std::vector<SlotForms> slots;
  InflectLemma("travel", kVerb, std::vector<std::string>{"travelled", "travelling"}, true, &slots);
  bool found = false;
  for (const SlotForms& slot : slots) {
    if (slot.inflection == kPresentParticiple) {
      EXPECT_EQ(slot.preferred, "traveling");
      EXPECT_EQ(slot.others, std::vector<std::string>{"travelling"});
      found = true;
    }
  }
  EXPECT_TRUE(found);
  InflectLemma("be", kVerb, std::vector<std::string>{"am", "are", "is", "was", "were", "been"},
               true, &slots);
  for (const SlotForms& slot : slots) {
    if (slot.inflection == kBase) {
      EXPECT_EQ(slot.others, (std::vector<std::string>{"am", "are"}));
    }
    if (slot.inflection == kPast) {
      EXPECT_EQ(slot.preferred, "was");
      EXPECT_EQ(slot.others, std::vector<std::string>{"were"});
    }
  }
}

TEST(EntryTextTest, SplitsLikeTheTokenizer) {
  std::vector<std::string> words;
  SplitEntryText("give_up", &words);
  EXPECT_EQ(words, (std::vector<std::string>{"give", "up"}));
  SplitEntryText("Military-to-Military", &words);
  EXPECT_EQ(words, (std::vector<std::string>{"military", "-", "to", "-", "military"}));
  SplitEntryText("o'clock", &words);
  EXPECT_EQ(words, std::vector<std::string>{"o'clock"});
  SplitEntryText("  St. Albans ", &words);
  EXPECT_EQ(words, (std::vector<std::string>{"st", ".", "albans"}));
  SplitEntryText("O.K.", &words);
  EXPECT_EQ(words, std::vector<std::string>{"o.k."});
  SplitEntryText("A/C", &words);
  EXPECT_EQ(words, (std::vector<std::string>{"a", "/", "c"}));
  SplitEntryText("\xc3\x89t\xc3\xa9", &words);  // Été
  EXPECT_EQ(words, std::vector<std::string>{"\xc3\xa9t\xc3\xa9"});
  SplitEntryText("", &words);
  EXPECT_TRUE(words.empty());
  EXPECT_TRUE(HasUpperCase("Bacon"));
  EXPECT_FALSE(HasUpperCase("bacon"));
  EXPECT_EQ(Latin1ToUtf8("caf\xe9"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace unspin::lexicon::internal
