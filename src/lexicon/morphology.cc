// Invariants: every form produced is non-empty; SlotForms::others never
// repeats SlotForms::preferred. Rules follow the standard descriptions of
// English spelling (e.g. Quirk et al., A Comprehensive Grammar of the English
// Language, 1985, sections 3.5-3.6, 5.73, 7.82); the exception lists come from
// WordNet's morphy (wndb(5), morphy(7WN)).
#include "lexicon/morphology.h"

#include <algorithm>

namespace unspin::lexicon::internal {
namespace {

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool ConsonantY(std::string_view word) {
  return word.size() >= 2 && word.back() == 'y' && !IsVowel(word[word.size() - 2]);
}

bool Sibilant(std::string_view word) {
  return EndsWith(word, "s") || EndsWith(word, "x") || EndsWith(word, "z") ||
         EndsWith(word, "ch") || EndsWith(word, "sh");
}

// A one-syllable word ending consonant-vowel-consonant doubles its final
// consonant before a vowel suffix (stop -> stopped, big -> bigger); w, x and y
// never double. "qu" counts as a consonant (quip -> quipped).
bool DoublesFinalConsonant(std::string_view word) {
  size_t n = word.size();
  if (n < 2 || CountSyllables(word) != 1) return false;
  char last = word[n - 1];
  if (IsVowel(last) || last == 'w' || last == 'x' || last == 'y') return false;
  if (!IsVowel(word[n - 2])) return false;
  if (n == 2) return true;
  char before = word[n - 3];
  if (before == 'u' && n >= 4 && word[n - 4] == 'q') return true;
  return !IsVowel(before);
}

struct IrregularVerb {
  std::string_view base;
  std::string_view past;
  std::string_view past_participle;
};

// Common English irregular verbs, US spellings. Verbs whose US forms are
// regular (learn, burn, dream, spell) are deliberately absent, so the
// exception list's British forms (learnt) only lemmatise.
constexpr IrregularVerb kIrregularVerbs[] = {
    {"arise", "arose", "arisen"},
    {"awake", "awoke", "awoken"},
    {"be", "was", "been"},
    {"bear", "bore", "borne"},
    {"beat", "beat", "beaten"},
    {"become", "became", "become"},
    {"begin", "began", "begun"},
    {"bend", "bent", "bent"},
    {"bet", "bet", "bet"},
    {"bid", "bid", "bid"},
    {"bind", "bound", "bound"},
    {"bite", "bit", "bitten"},
    {"bleed", "bled", "bled"},
    {"blow", "blew", "blown"},
    {"break", "broke", "broken"},
    {"breed", "bred", "bred"},
    {"bring", "brought", "brought"},
    {"broadcast", "broadcast", "broadcast"},
    {"build", "built", "built"},
    {"burst", "burst", "burst"},
    {"buy", "bought", "bought"},
    {"cast", "cast", "cast"},
    {"catch", "caught", "caught"},
    {"choose", "chose", "chosen"},
    {"cling", "clung", "clung"},
    {"come", "came", "come"},
    {"cost", "cost", "cost"},
    {"creep", "crept", "crept"},
    {"cut", "cut", "cut"},
    {"deal", "dealt", "dealt"},
    {"dig", "dug", "dug"},
    {"do", "did", "done"},
    {"draw", "drew", "drawn"},
    {"drink", "drank", "drunk"},
    {"drive", "drove", "driven"},
    {"dwell", "dwelt", "dwelt"},
    {"eat", "ate", "eaten"},
    {"fall", "fell", "fallen"},
    {"feed", "fed", "fed"},
    {"feel", "felt", "felt"},
    {"fight", "fought", "fought"},
    {"find", "found", "found"},
    {"flee", "fled", "fled"},
    {"fling", "flung", "flung"},
    {"fly", "flew", "flown"},
    {"forbid", "forbade", "forbidden"},
    {"forecast", "forecast", "forecast"},
    {"foresee", "foresaw", "foreseen"},
    {"forget", "forgot", "forgotten"},
    {"forgive", "forgave", "forgiven"},
    {"forgo", "forwent", "forgone"},
    {"forsake", "forsook", "forsaken"},
    {"freeze", "froze", "frozen"},
    {"get", "got", "gotten"},
    {"give", "gave", "given"},
    {"go", "went", "gone"},
    {"grind", "ground", "ground"},
    {"grow", "grew", "grown"},
    {"hang", "hung", "hung"},
    {"have", "had", "had"},
    {"hear", "heard", "heard"},
    {"hide", "hid", "hidden"},
    {"hit", "hit", "hit"},
    {"hold", "held", "held"},
    {"hurt", "hurt", "hurt"},
    {"keep", "kept", "kept"},
    {"kneel", "knelt", "knelt"},
    {"know", "knew", "known"},
    {"lay", "laid", "laid"},
    {"lead", "led", "led"},
    {"leave", "left", "left"},
    {"lend", "lent", "lent"},
    {"let", "let", "let"},
    {"light", "lit", "lit"},
    {"lose", "lost", "lost"},
    {"make", "made", "made"},
    {"mean", "meant", "meant"},
    {"meet", "met", "met"},
    {"mislead", "misled", "misled"},
    {"mistake", "mistook", "mistaken"},
    {"misunderstand", "misunderstood", "misunderstood"},
    {"overcome", "overcame", "overcome"},
    {"overtake", "overtook", "overtaken"},
    {"pay", "paid", "paid"},
    {"put", "put", "put"},
    {"quit", "quit", "quit"},
    {"read", "read", "read"},
    {"rid", "rid", "rid"},
    {"ride", "rode", "ridden"},
    {"ring", "rang", "rung"},
    {"rise", "rose", "risen"},
    {"run", "ran", "run"},
    {"say", "said", "said"},
    {"see", "saw", "seen"},
    {"seek", "sought", "sought"},
    {"sell", "sold", "sold"},
    {"send", "sent", "sent"},
    {"set", "set", "set"},
    {"sew", "sewed", "sewn"},
    {"shake", "shook", "shaken"},
    {"shed", "shed", "shed"},
    {"shine", "shone", "shone"},
    {"shoot", "shot", "shot"},
    {"show", "showed", "shown"},
    {"shrink", "shrank", "shrunk"},
    {"shut", "shut", "shut"},
    {"sing", "sang", "sung"},
    {"sink", "sank", "sunk"},
    {"sit", "sat", "sat"},
    {"slay", "slew", "slain"},
    {"sleep", "slept", "slept"},
    {"slide", "slid", "slid"},
    {"sling", "slung", "slung"},
    {"slit", "slit", "slit"},
    {"sow", "sowed", "sown"},
    {"speak", "spoke", "spoken"},
    {"speed", "sped", "sped"},
    {"spend", "spent", "spent"},
    {"spin", "spun", "spun"},
    {"spit", "spat", "spat"},
    {"split", "split", "split"},
    {"spread", "spread", "spread"},
    {"spring", "sprang", "sprung"},
    {"stand", "stood", "stood"},
    {"steal", "stole", "stolen"},
    {"stick", "stuck", "stuck"},
    {"sting", "stung", "stung"},
    {"stink", "stank", "stunk"},
    {"stride", "strode", "stridden"},
    {"strike", "struck", "struck"},
    {"string", "strung", "strung"},
    {"strive", "strove", "striven"},
    {"swear", "swore", "sworn"},
    {"sweep", "swept", "swept"},
    {"swell", "swelled", "swollen"},
    {"swim", "swam", "swum"},
    {"swing", "swung", "swung"},
    {"take", "took", "taken"},
    {"teach", "taught", "taught"},
    {"tear", "tore", "torn"},
    {"tell", "told", "told"},
    {"think", "thought", "thought"},
    {"throw", "threw", "thrown"},
    {"thrust", "thrust", "thrust"},
    {"tread", "trod", "trodden"},
    {"understand", "understood", "understood"},
    {"undertake", "undertook", "undertaken"},
    {"undo", "undid", "undone"},
    {"upset", "upset", "upset"},
    {"wake", "woke", "woken"},
    {"wear", "wore", "worn"},
    {"weave", "wove", "woven"},
    {"weep", "wept", "wept"},
    {"win", "won", "won"},
    {"wind", "wound", "wound"},
    {"withdraw", "withdrew", "withdrawn"},
    {"withhold", "withheld", "withheld"},
    {"withstand", "withstood", "withstood"},
    {"wring", "wrung", "wrung"},
    {"write", "wrote", "written"},
    {"shoe", "shod", "shod"},
    {"smite", "smote", "smitten"},
    {"begird", "begirt", "begirt"},
};

const IrregularVerb* FindIrregularVerb(std::string_view base) {
  for (const IrregularVerb& verb : kIrregularVerbs) {
    if (verb.base == base) return &verb;
  }
  return nullptr;
}

// Multi-syllable verbs ending in -l whose US spelling doubles it (compelled);
// for the others US English writes one l (traveled) where the exception list
// gives the British form (travelled).
constexpr std::string_view kUsDoublingL[] = {"compel", "dispel", "excel",   "expel",   "impel",
                                             "propel", "repel",  "rebel",   "control", "patrol",
                                             "extol",  "annul",  "enthral", "instil"};
// Unstressed final syllables that the exception list doubles, British style.
constexpr std::string_view kBritishDoubling[] = {"benefit", "bias",  "combat",
                                                 "worship", "focus", "bus"};
// Nouns whose exception-list plural is archaic or rarer than the regular one.
constexpr std::string_view kPreferRegularPlural[] = {
    "brother", "cow", "penny", "genius", "octopus", "focus", "formula", "antenna", "index", "bus"};
// Nouns in -man whose plural is -mans.
constexpr std::string_view kManPluralS[] = {
    "human",  "shaman", "talisman", "ottoman", "caiman", "cayman", "dolman", "desman",   "pullman",
    "german", "roman",  "norman",   "brahman", "hetman", "ataman", "firman", "doberman", "walkman"};

bool Contains(std::span<const std::string_view> list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool IsSpellingVariant(std::string_view form, std::string_view lemma) {
  if (form.size() <= lemma.size()) return false;
  std::string_view stem = lemma;
  if (stem.back() == 'e' || stem.back() == 'y') stem.remove_suffix(1);
  if (form.substr(0, stem.size()) != stem) return false;
  return EndsWith(form, "ed") || EndsWith(form, "ing");
}

bool IsBritishDoubling(std::string_view form, std::string_view lemma) {
  if (form.size() < lemma.size() + 3 || form.substr(0, lemma.size()) != lemma) return false;
  if (form[lemma.size()] != lemma.back()) return false;
  std::string_view rest = form.substr(lemma.size() + 1);
  if (rest != "ed" && rest != "ing") return false;
  if (Contains(kBritishDoubling, lemma)) return true;
  return lemma.back() == 'l' && CountSyllables(lemma) >= 2 && !Contains(kUsDoublingL, lemma);
}

std::vector<Inflection> SlotsOf(PartOfSpeech pos) {
  switch (pos) {
    case PartOfSpeech::kNoun:
      return {Inflection::kPlural};
    case PartOfSpeech::kVerb:
      return {Inflection::kThirdPersonSingular, Inflection::kPast, Inflection::kPastParticiple,
              Inflection::kPresentParticiple};
    case PartOfSpeech::kAdjective:
    case PartOfSpeech::kAdverb:
      return {Inflection::kComparative, Inflection::kSuperlative};
    case PartOfSpeech::kOther:
      break;
  }
  return {};
}

// The slots an exception-list form fills when no irregular table entry places it.
void ClassifyException(PartOfSpeech pos, std::string_view form, std::string_view lemma,
                       std::vector<Inflection>* slots) {
  slots->clear();
  switch (pos) {
    case PartOfSpeech::kNoun:
      slots->push_back(Inflection::kPlural);
      return;
    case PartOfSpeech::kVerb: {
      if (EndsWith(form, "ing")) {
        slots->push_back(Inflection::kPresentParticiple);
        return;
      }
      size_t shared = lemma.size() > 1 ? lemma.size() - 1 : lemma.size();
      if (EndsWith(form, "s") && !EndsWith(form, "ss") && form.size() > shared &&
          form.substr(0, shared) == lemma.substr(0, shared)) {
        slots->push_back(Inflection::kThirdPersonSingular);
        return;
      }
      slots->push_back(Inflection::kPast);
      slots->push_back(Inflection::kPastParticiple);
      return;
    }
    case PartOfSpeech::kAdjective:
    case PartOfSpeech::kAdverb:
      if (EndsWith(form, "st")) {
        slots->push_back(Inflection::kSuperlative);
      } else if (EndsWith(form, "er") || EndsWith(form, "se")) {
        slots->push_back(Inflection::kComparative);
      }
      return;
    case PartOfSpeech::kOther:
      return;
  }
}

void AddUnique(std::vector<std::string>* list, std::string_view form) {
  if (std::find(list->begin(), list->end(), form) == list->end()) list->emplace_back(form);
}

}  // namespace

bool IsPlainWord(std::string_view word) {
  if (word.size() < 2) return false;
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

int CountSyllables(std::string_view word) {
  int count = 0;
  bool in_vowel = false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    bool vowel = IsVowel(c) || (c == 'y' && i > 0);
    if (vowel && !in_vowel) ++count;
    in_vowel = vowel;
  }
  size_t n = word.size();
  if (count > 1 && n >= 2 && word[n - 1] == 'e' && !IsVowel(word[n - 2])) {
    bool consonant_le = n >= 3 && word[n - 2] == 'l' && !IsVowel(word[n - 3]);
    if (!consonant_le) --count;
  }
  return count;
}

bool TakesSuffixComparison(std::string_view adjective) {
  int syllables = CountSyllables(adjective);
  if (syllables == 1) return true;
  return syllables == 2 && (EndsWith(adjective, "y") || EndsWith(adjective, "le") ||
                            EndsWith(adjective, "er") || EndsWith(adjective, "ow"));
}

std::string RegularForm(std::string_view lemma, PartOfSpeech pos, Inflection inflection) {
  std::string word(lemma);
  if (word.empty()) return word;
  std::string stem_y = word.substr(0, word.size() - 1);
  switch (inflection) {
    case Inflection::kBase:
      return word;
    case Inflection::kPlural:
      if (pos != PartOfSpeech::kNoun) return word;
      // Nouns already ending like plurals are invariant: series, species, physics, news.
      if (EndsWith(word, "es") || EndsWith(word, "ics") || EndsWith(word, "news")) return word;
      if (EndsWith(word, "man") && word.size() > 3 && !Contains(kManPluralS, word)) {
        return word.substr(0, word.size() - 3) + "men";
      }
      if (ConsonantY(word)) return stem_y + "ies";
      if (Sibilant(word)) return word + "es";
      return word + "s";
    case Inflection::kThirdPersonSingular:
      if (pos != PartOfSpeech::kVerb) return word;
      if (ConsonantY(word)) return stem_y + "ies";
      if (Sibilant(word)) return word + "es";
      if (word.size() >= 2 && word.back() == 'o' && !IsVowel(word[word.size() - 2])) {
        return word + "es";
      }
      return word + "s";
    case Inflection::kPast:
    case Inflection::kPastParticiple:
      if (pos != PartOfSpeech::kVerb) return word;
      if (word.back() == 'e') return word + "d";
      if (ConsonantY(word)) return stem_y + "ied";
      if (DoublesFinalConsonant(word)) return word + word.back() + "ed";
      return word + "ed";
    case Inflection::kPresentParticiple:
      if (pos != PartOfSpeech::kVerb) return word;
      if (EndsWith(word, "ie")) return word.substr(0, word.size() - 2) + "ying";
      if (word.back() == 'e' && word.size() > 2 && !EndsWith(word, "ee") && !EndsWith(word, "ye") &&
          !EndsWith(word, "oe")) {
        return stem_y + "ing";
      }
      if (DoublesFinalConsonant(word)) return word + word.back() + "ing";
      return word + "ing";
    case Inflection::kComparative:
    case Inflection::kSuperlative: {
      if (pos != PartOfSpeech::kAdjective && pos != PartOfSpeech::kAdverb) return word;
      std::string_view suffix = inflection == Inflection::kComparative ? "er" : "est";
      if (word.back() == 'e') return word + std::string(suffix.substr(1));
      if (ConsonantY(word)) return stem_y + "i" + std::string(suffix);
      if (DoublesFinalConsonant(word)) return word + word.back() + std::string(suffix);
      return word + std::string(suffix);
    }
  }
  return word;
}

void InflectLemma(std::string_view lemma, PartOfSpeech pos, std::span<const std::string> exceptions,
                  bool regular, std::vector<SlotForms>* out) {
  out->clear();
  if (lemma.empty()) return;
  std::vector<Inflection> slots = SlotsOf(pos);
  if (slots.empty()) return;

  // An irregular verb, directly or behind a prefix the exception list confirms.
  const IrregularVerb* irregular = nullptr;
  std::string prefix;
  if (pos == PartOfSpeech::kVerb) {
    irregular = FindIrregularVerb(lemma);
    for (size_t split = 1; irregular == nullptr && split + 2 <= lemma.size(); ++split) {
      const IrregularVerb* tail = FindIrregularVerb(lemma.substr(split));
      if (tail == nullptr) continue;
      std::string past = std::string(lemma.substr(0, split)) + std::string(tail->past);
      if (std::find(exceptions.begin(), exceptions.end(), past) != exceptions.end()) {
        irregular = tail;
        prefix = std::string(lemma.substr(0, split));
      }
    }
  }
  bool is_be = irregular != nullptr && prefix.empty() && lemma == "be";
  bool is_have = irregular != nullptr && prefix.empty() && lemma == "have";

  std::vector<std::vector<std::string>> by_slot(kInflectionCount);
  std::vector<Inflection> found;
  for (const std::string& form : exceptions) {
    found.clear();
    if (irregular != nullptr) {
      if (form == prefix + std::string(irregular->past)) found.push_back(Inflection::kPast);
      if (form == prefix + std::string(irregular->past_participle)) {
        found.push_back(Inflection::kPastParticiple);
      }
    }
    if (is_be) {
      if (form == "is") found.push_back(Inflection::kThirdPersonSingular);
      if (form == "were") found.push_back(Inflection::kPast);
      if (form == "am" || form == "are") found.push_back(Inflection::kBase);
    }
    if (is_have && form == "has") found.push_back(Inflection::kThirdPersonSingular);
    if (found.empty()) ClassifyException(pos, form, lemma, &found);
    for (Inflection slot : found) AddUnique(&by_slot[static_cast<int>(slot)], form);
  }

  bool any_exception = !exceptions.empty();
  bool plain = regular && IsPlainWord(lemma);
  bool comparable = (pos == PartOfSpeech::kAdjective && TakesSuffixComparison(lemma)) ||
                    (pos == PartOfSpeech::kAdverb && CountSyllables(lemma) == 1);
  if (is_be) {
    SlotForms base{Inflection::kBase, "", {}};
    for (const std::string& form : by_slot[0]) AddUnique(&base.others, form);
    for (std::string_view form : {"am", "are"}) AddUnique(&base.others, form);
    out->push_back(std::move(base));
  }
  for (Inflection slot : slots) {
    const std::vector<std::string>& listed = by_slot[static_cast<int>(slot)];
    SlotForms forms{slot, "", {}};
    if (irregular != nullptr) {
      switch (slot) {
        case Inflection::kThirdPersonSingular:
          forms.preferred = is_be     ? std::string("is")
                            : is_have ? std::string("has")
                                      : RegularForm(lemma, pos, slot);
          break;
        case Inflection::kPast:
          forms.preferred = prefix + std::string(irregular->past);
          if (is_be) forms.others.emplace_back("were");
          break;
        case Inflection::kPastParticiple:
          forms.preferred = prefix + std::string(irregular->past_participle);
          break;
        default:
          forms.preferred = RegularForm(lemma, pos, slot);
          break;
      }
    } else {
      bool rule_applies = plain && (pos == PartOfSpeech::kNoun || pos == PartOfSpeech::kVerb ||
                                    comparable || any_exception);
      std::string rule_form = rule_applies ? RegularForm(lemma, pos, slot) : std::string();
      if (pos == PartOfSpeech::kVerb) {
        for (const std::string& form : listed) {
          if (IsSpellingVariant(form, lemma) && !IsBritishDoubling(form, lemma)) {
            forms.preferred = form;
            break;
          }
        }
        if (forms.preferred.empty() && rule_form.empty() && !listed.empty()) {
          forms.preferred = listed.front();
        }
      } else if (!listed.empty() &&
                 !(pos == PartOfSpeech::kNoun && Contains(kPreferRegularPlural, lemma) &&
                   !rule_form.empty())) {
        forms.preferred = listed.front();
      }
      if (forms.preferred.empty() && !rule_form.empty()) {
        forms.preferred = rule_form;
        forms.from_rule = true;
      }
    }
    for (const std::string& form : listed) {
      if (form != forms.preferred) AddUnique(&forms.others, form);
    }
    std::erase(forms.others, forms.preferred);
    if (!forms.preferred.empty() || !forms.others.empty()) out->push_back(std::move(forms));
  }
}

}  // namespace unspin::lexicon::internal
