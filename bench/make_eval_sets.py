#!/usr/bin/env python3
"""Builds the (original, spun) evaluation sets that bench/eval_check.sh measures.

A fixed sample of corpus paragraphs (40-150 words; U.S. presidential speeches
and Reuters-21578 bodies from ../shared/corpora) is spun two ways:

  sim-<style>.jsonl  by `unspin simulate --style <style> --rate RATE --lines`,
                     with the simulator's key in sim-<style>.key.jsonl;
  doc-<style>.jsonl  the same on whole documents (DOC_MIN_WORDS-DOC_MAX_WORDS
                     words, one line each) for document-level detection;
  real-dict.jsonl    by replacing, in each paragraph, occurrences of the
                     `original` words and phrases of real spinners'
                     substitutions (../shared/data/real-substitutions-dev.tsv,
                     read at run time, never copied) with their `spun`
                     counterparts, up to MAX_SHARE of the paragraph's words;
  real-<spinner>.jsonl
                     the same with one real spinner's substitutions at a
                     time (REAL_STYLES: dnw, pointout, spinbot, mt, aipara);
  quote-<style>.jsonl, quote-real.jsonl
                     the same four spinners on documents that quote at least
                     QUOTE_MIN_WORDS words (quotes.txt): every spinner leaves
                     quotations alone, as real ones do, so these sets measure
                     how the checker uses quoted speech as a yardstick.

Each output line is {"id", "original", "spun", "set"}; `unspin eval` reads it.
Pairs whose spun text equals the original are dropped (they would be
mislabelled positives). Everything is seeded: the same inputs give the same
files.

usage: bench/make_eval_sets.py --unspin BIN [--out build/eval] [--shared ../shared]
       [--paragraphs 300] [--documents 60] [--quote-documents 300] [--rate 0.25] [--seed 1]
       [--styles thesaurus,phrase,sparse]
"""
import argparse
import glob
import html
import json
import os
import random
import re
import subprocess
import sys

MIN_WORDS = 40
MAX_WORDS = 150
DOC_MIN_WORDS = 250
DOC_MAX_WORDS = 900
MAX_SHARE = 0.25  # real-dict: at most this share of a paragraph's words replaced
REPLACE_PROBABILITY = 0.7  # real-dict: each matching occurrence is replaced with this probability
# Function-word entries ("as" -> "because", "by" -> "from") were observed in one
# context each; applied everywhere they would swamp the set, so they are rarer.
FUNCTION_WORD_PROBABILITY = 0.2
# The styles of real-substitutions-dev.tsv, one real-<style>.jsonl set each.
REAL_STYLES = ("dnw", "pointout", "spinbot", "mt", "aipara")
QUOTE_MIN_WORDS = 25  # quote-* sets: documents with at least this many quoted words

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'.-]*")


def word_count(text):
    return len(text.split())


def speech_paragraphs(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    blocks = re.split(r"\n\s*\n", text)
    for block in blocks:
        block = " ".join(block.split())
        if block.startswith("President:"):
            continue
        if MIN_WORDS <= word_count(block) <= MAX_WORDS:
            yield block


def reuters_paragraphs(path):
    with open(path, encoding="latin-1") as f:
        text = f.read()
    for body in re.findall(r"<BODY>(.*?)</BODY>", text, re.S):
        body = html.unescape(body).replace("\x03", "")
        body = re.sub(r"\s*Reuter\s*$", "", body.strip(), flags=re.IGNORECASE)
        # Reuters paragraphs start with an indented line; short ones are grouped
        # until the group has at least MIN_WORDS words.
        group = []
        for piece in re.split(r"\n {2,}", body):
            piece = " ".join(piece.split())
            if not piece:
                continue
            group.append(piece)
            joined = " ".join(group)
            if word_count(joined) >= MIN_WORDS:
                if word_count(joined) <= MAX_WORDS:
                    yield joined
                group = []


def sample_paragraphs(shared, count, seed):
    rng = random.Random(seed)
    speeches = sorted(glob.glob(os.path.join(shared, "corpora/presidential-speeches/*.txt")))
    reuters = sorted(glob.glob(os.path.join(shared, "corpora/reuters21578/*.sgm")))
    if not speeches or not reuters:
        sys.exit(f"make_eval_sets: corpora not found under {shared}/corpora")
    pools = []
    for paths, reader in ((speeches, speech_paragraphs), (reuters, reuters_paragraphs)):
        pool = []
        for path in paths:
            pool.extend(reader(path))
        pool = sorted(set(pool))
        rng.shuffle(pool)
        pools.append(pool)
    # Alternate the two corpora; return a longer list than needed so that sets
    # which skip paragraphs (no substitution possible) still reach `count`.
    out = []
    for a, b in zip(pools[0], pools[1]):
        out.extend([a, b])
    return out


def speech_documents(path):
    """Runs of consecutive paragraphs of one speech, DOC_MIN_WORDS or more."""
    with open(path, encoding="utf-8", errors="replace") as f:
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", f.read())]
    group = []
    for block in blocks:
        if not block or block.startswith("President:"):
            continue
        group.append(block)
        joined = " ".join(group)
        if word_count(joined) >= DOC_MIN_WORDS:
            if word_count(joined) <= DOC_MAX_WORDS:
                yield joined
            group = []


def reuters_documents(path):
    with open(path, encoding="latin-1") as f:
        text = f.read()
    for body in re.findall(r"<BODY>(.*?)</BODY>", text, re.S):
        body = html.unescape(body).replace("\x03", "")
        body = " ".join(re.sub(r"\s*Reuter\s*$", "", body.strip(), flags=re.IGNORECASE).split())
        if DOC_MIN_WORDS <= word_count(body) <= DOC_MAX_WORDS:
            yield body


def sample_documents(shared, count, seed):
    """`count` documents, alternating speeches and Reuters articles."""
    rng = random.Random(seed + 1)
    pools = []
    for pattern, reader in (("corpora/presidential-speeches/*.txt", speech_documents),
                            ("corpora/reuters21578/*.sgm", reuters_documents)):
        pool = []
        for path in sorted(glob.glob(os.path.join(shared, pattern))):
            pool.extend(reader(path))
        pool = sorted(set(pool))
        rng.shuffle(pool)
        pools.append(pool)
    mixed = [d for pair in zip(*pools) for d in pair]
    return mixed[:count]


def quote_documents(shared, count, seed):
    """`count` documents (speech runs and Reuters articles, as for doc-*) with at
    least QUOTE_MIN_WORDS words inside quotation marks, in a seeded random order."""
    pool = []
    for pattern, reader in (("corpora/presidential-speeches/*.txt", speech_documents),
                            ("corpora/reuters21578/*.sgm", reuters_documents)):
        for path in sorted(glob.glob(os.path.join(shared, pattern))):
            for document in reader(path):
                quoted = sum(word_count(document[a:b]) for a, b in quoted_ranges(document))
                if quoted >= QUOTE_MIN_WORDS:
                    pool.append(document)
    random.Random(seed + 2).shuffle(pool)
    return pool[:count]


def load_real_substitutions(path, keep_story=None, keep_style=None):
    """(original -> sorted spun list, function-word originals); with keep_story
    or keep_style, only rows whose story or style column it accepts."""
    table = {}
    content = set()  # originals seen with a part of speech other than "function"
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < len(header):
                continue
            if keep_story is not None and not keep_story(fields[col["story"]]):
                continue
            if keep_style is not None and not keep_style(fields[col["style"]]):
                continue
            original = fields[col["original"]].strip().lower()
            spun = fields[col["spun"]].strip()
            if not original or not spun or original == spun.lower():
                continue
            table.setdefault(original, set()).add(spun.lower())
            if fields[col["pos"]] != "function":
                content.add(original)
    function_words = set(table) - content
    return {k: sorted(v) for k, v in table.items()}, function_words


def quoted_ranges(text):
    ranges = []
    for m in re.finditer(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d", text):
        ranges.append((m.start(), m.end()))
    return ranges


def sentence_initial(text, start):
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?:\"\u201c("


def dictionary_pattern(table):
    """A regex matching any original of `table` as whole words, longest first."""
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w'-])",
                      re.IGNORECASE)


def dictionary_pairs(paragraphs, count, table, function_words, rng):
    """The first `count` (paragraph, spun) pairs the dictionary changes."""
    pattern = dictionary_pattern(table)
    pairs = []
    for paragraph in paragraphs:
        if len(pairs) == count:
            break
        spun = real_dictionary_spin(paragraph, table, function_words, pattern, rng)
        if spun != paragraph:
            pairs.append((paragraph, spun))
    return pairs


def real_dictionary_spin(text, table, function_words, pattern, rng):
    words = word_count(text)
    quotes = quoted_ranges(text)
    matches = []
    for m in pattern.finditer(text):
        if any(a <= m.start() < b for a, b in quotes):
            continue
        surface = m.group(0)
        # Capitalised words mid-sentence are names: real spinners leave them.
        if surface[0].isupper() and not sentence_initial(text, m.start()):
            continue
        matches.append(m)
    rng.shuffle(matches)
    chosen = []
    budget = int(words * MAX_SHARE)
    used = 0
    for m in matches:
        n = len(m.group(0).split())
        probability = (FUNCTION_WORD_PROBABILITY if m.group(0).lower() in function_words
                       else REPLACE_PROBABILITY)
        if used + n > budget or rng.random() > probability:
            continue
        chosen.append(m)
        used += n
    chosen.sort(key=lambda m: m.start())
    out, last = [], 0
    for m in chosen:
        replacement = rng.choice(table[m.group(0).lower()])
        if m.group(0)[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
        out.append(text[last:m.start()])
        out.append(replacement)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def write_pairs(path, name, pairs):
    with open(path, "w", encoding="utf-8") as f:
        for i, (original, spun) in enumerate(pairs):
            f.write(json.dumps({"id": f"{name}-{i}", "original": original, "spun": spun,
                                "set": name}, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    ap.add_argument("--out", default=os.path.join(here, "../build/eval"))
    ap.add_argument("--shared", default=os.path.join(here, "../../shared"))
    ap.add_argument("--paragraphs", type=int, default=300)
    ap.add_argument("--documents", type=int, default=60, help="documents per doc-* set")
    ap.add_argument("--quote-documents", type=int, default=300,
                    help="documents per quote-* set")
    ap.add_argument("--rate", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--styles", default="thesaurus,phrase,sparse")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    paragraphs = sample_paragraphs(args.shared, args.paragraphs, args.seed)
    base = paragraphs[: args.paragraphs]
    with open(os.path.join(args.out, "paragraphs.txt"), "w", encoding="utf-8") as f:
        f.write("".join(p + "\n" for p in base))

    # Real spinners' dictionaries.
    table, function_words = load_real_substitutions(os.path.join(args.shared, "data/real-substitutions-dev.tsv"))
    pattern = dictionary_pattern(table)
    rng = random.Random(args.seed)
    pairs = dictionary_pairs(paragraphs, args.paragraphs, table, function_words, rng)
    write_pairs(os.path.join(args.out, "real-dict.jsonl"), "real-dict", pairs)
    print(f"real-dict: {len(pairs)} pairs", file=sys.stderr)

    # One spinner at a time: which kinds of real spinner the checker handles.
    # Own random streams, so that the sets above and below stay as they were.
    for style in REAL_STYLES:
        style_table, style_function_words = load_real_substitutions(
            os.path.join(args.shared, "data/real-substitutions-dev.tsv"),
            keep_style=lambda value, style=style: value == style)
        style_pairs = dictionary_pairs(paragraphs, args.paragraphs, style_table,
                                       style_function_words, random.Random(f"{args.seed}-{style}"))
        write_pairs(os.path.join(args.out, f"real-{style}.jsonl"), f"real-{style}", style_pairs)
        print(f"real-{style}: {len(style_pairs)} pairs", file=sys.stderr)

    documents = sample_documents(args.shared, args.documents, args.seed)
    with open(os.path.join(args.out, "documents.txt"), "w", encoding="utf-8") as f:
        f.write("".join(d + "\n" for d in documents))

    quoting = quote_documents(args.shared, args.quote_documents, args.seed)
    with open(os.path.join(args.out, "quotes.txt"), "w", encoding="utf-8") as f:
        f.write("".join(d + "\n" for d in quoting))
    pairs = [(d, real_dictionary_spin(d, table, function_words, pattern, rng)) for d in quoting]
    pairs = [(o, s) for o, s in pairs if o != s]
    write_pairs(os.path.join(args.out, "quote-real.jsonl"), "quote-real", pairs)
    print(f"quote-real: {len(pairs)} pairs", file=sys.stderr)

    # The built-in adversary, one set per style, on paragraphs and on documents.
    for prefix, texts, source in (("sim", base, "paragraphs.txt"),
                                  ("doc", documents, "documents.txt"),
                                  ("quote", quoting, "quotes.txt")):
        if not texts:
            continue
        for style in [s for s in args.styles.split(",") if s]:
            name = f"{prefix}-{style}"
            key = os.path.join(args.out, f"{name}.key.jsonl")
            run = subprocess.run([args.unspin, "simulate", "--style", style, "--rate",
                                  str(args.rate), "--seed", str(args.seed), "--lines", "--key",
                                  key, os.path.join(args.out, source)],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"make_eval_sets: unspin simulate --style {style} failed: {run.stderr}")
            spun_lines = run.stdout.split("\n")[: len(texts)]
            pairs = [(o, s) for o, s in zip(texts, spun_lines) if o != s]
            write_pairs(os.path.join(args.out, f"{name}.jsonl"), name, pairs)
            print(f"{name}: {len(pairs)} pairs ({len(texts) - len(pairs)} unchanged dropped)",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
