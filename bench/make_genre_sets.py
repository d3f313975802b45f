#!/usr/bin/env python3
"""Builds (original, spun) pairs from every corpus and genre in ../shared, for fitting the
verdict on a pool of all of them and measuring it by leaving each one out in turn.

The groups are the 15 genres of the Brown Corpus, the presidential speeches and the
Reuters-21578 bodies (17 in all). Every source file (a Brown sample, a speech, a Reuters
SGML file's document) goes wholly to the `fit` or the `eval` half by a hash of its name, so
the two halves never share a text. From each half, up to --paragraphs paragraphs of
MIN_WORDS-MAX_WORDS words per group are spun in every style:

  sim-thesaurus-0.25, sim-thesaurus-0.6, sim-phrase-0.6, sim-sparse-0.6
      `unspin simulate --style S --rate R --lines`, seeded;
  real-dict
      real spinners' substitutions (../shared/data/real-substitutions-dev.tsv, read at run
      time, never copied), as bench/make_eval_sets.py applies them;
  doc-thesaurus-0.25, doc-real-dict
      runs of consecutive paragraphs of one source file, DOC_MIN_WORDS or more words, spun
      like sim-thesaurus-0.25 and real-dict: document-level false alarms, and light
      spinning over a whole article.

Output: OUT/<half>/<style>.jsonl, one {"id", "original", "spun", "set", "group"} per line,
and OUT/<half>/<style>/<group>.jsonl, the same split by group (what score_pairs.py reads).

usage: bench/make_genre_sets.py [--unspin BIN] [--out build/genre] [--shared ../shared]
       [--paragraphs 40] [--documents 10] [--seed 1]
"""
import argparse
import glob
import hashlib
import html
import json
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_eval_sets  # noqa: E402  (the real-dictionary spinner, shared with the other sets)

MIN_WORDS = 60
MAX_WORDS = 200
DOC_MIN_WORDS = 400
DOC_MAX_WORDS = 1200
SIM_STYLES = (("thesaurus", 0.25), ("thesaurus", 0.6), ("phrase", 0.6), ("sparse", 0.6))


def words(text):
    return len(text.split())


def half_of(name):
    return "fit" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "eval"


def brown_sources(shared):
    for folder in sorted(glob.glob(os.path.join(shared, "corpora/brown/*/"))):
        group = os.path.basename(folder.rstrip("/"))
        for path in sorted(glob.glob(os.path.join(folder, "*.txt"))):
            with open(path, encoding="utf-8") as f:
                blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", f.read())]
            yield group, os.path.basename(path), [b for b in blocks if b]


def speech_sources(shared):
    for path in sorted(glob.glob(os.path.join(shared, "corpora/presidential-speeches/*.txt"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", f.read())]
        yield "speeches", os.path.basename(path), [
            b for b in blocks if b and not b.startswith("President:")]


def reuters_sources(shared):
    for path in sorted(glob.glob(os.path.join(shared, "corpora/reuters21578/*.sgm"))):
        with open(path, encoding="latin-1") as f:
            text = f.read()
        for n, body in enumerate(re.findall(r"<BODY>(.*?)</BODY>", text, re.S)):
            body = html.unescape(body).replace("\x03", "")
            body = re.sub(r"\s*Reuter\s*$", "", body.strip(), flags=re.IGNORECASE)
            blocks = [" ".join(p.split()) for p in re.split(r"\n {2,}", body)]
            yield "reuters", f"{os.path.basename(path)}#{n}", [b for b in blocks if b]


def runs_of(blocks, min_words, max_words):
    """Texts of min_words-max_words words: consecutive blocks joined until the run is long
    enough (short blocks, dialogue or wire paragraphs, join the next ones); a run that
    overshoots max_words is dropped."""
    group = []
    for block in blocks:
        group.append(block)
        joined = " ".join(group)
        if words(joined) >= min_words:
            if words(joined) <= max_words:
                yield joined
            group = []


def simulate(unspin, texts, style, rate, seed, scratch):
    with open(scratch, "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in texts))
    run = subprocess.run([unspin, "simulate", "--style", style, "--rate", str(rate), "--seed",
                          str(seed), "--lines", scratch], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"make_genre_sets: unspin simulate failed: {run.stderr}")
    return run.stdout.split("\n")[: len(texts)]


def write(out, half, style, rows):
    folder = os.path.join(out, half)
    os.makedirs(os.path.join(folder, style), exist_ok=True)
    by_group = {}
    with open(os.path.join(folder, f"{style}.jsonl"), "w", encoding="utf-8") as f:
        for i, (group, original, spun) in enumerate(rows):
            line = json.dumps({"id": f"{half}-{style}-{i}", "original": original, "spun": spun,
                               "set": style, "group": group}, ensure_ascii=False) + "\n"
            f.write(line)
            by_group.setdefault(group, []).append(line)
    for group, lines in by_group.items():
        with open(os.path.join(folder, style, f"{group}.jsonl"), "w", encoding="utf-8") as f:
            f.write("".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    ap.add_argument("--out", default=os.path.join(here, "../build/genre"))
    ap.add_argument("--shared", default=os.path.join(here, "../../shared"))
    ap.add_argument("--paragraphs", type=int, default=40, help="per group and half")
    ap.add_argument("--documents", type=int, default=10, help="per group and half")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    pools = {}  # (half, group) -> ([paragraph], [document])
    for source in (brown_sources, speech_sources, reuters_sources):
        for group, name, blocks in source(args.shared):
            paragraphs, documents = pools.setdefault((half_of(name), group), ([], []))
            paragraphs.extend(runs_of(blocks, MIN_WORDS, MAX_WORDS))
            documents.extend(runs_of(blocks, DOC_MIN_WORDS, DOC_MAX_WORDS))
    if not pools:
        sys.exit(f"make_genre_sets: no corpora under {args.shared}/corpora")
    table, function_words = make_eval_sets.load_real_substitutions(
        os.path.join(args.shared, "data/real-substitutions-dev.tsv"))
    os.makedirs(args.out, exist_ok=True)
    scratch = os.path.join(args.out, "scratch.txt")
    for half in ("fit", "eval"):
        chosen, docs = [], []
        for (h, group), (paragraphs, documents) in sorted(pools.items()):
            if h != half:
                continue
            rng = random.Random(f"{args.seed}-{half}-{group}")
            paragraphs = sorted(set(paragraphs))
            rng.shuffle(paragraphs)
            chosen.extend((group, p) for p in paragraphs[: args.paragraphs])
            documents = sorted(set(documents))
            rng.shuffle(documents)
            docs.extend((group, d) for d in documents[: args.documents])
        for style, rate in SIM_STYLES:
            spun = simulate(args.unspin, [p for _, p in chosen], style, rate, args.seed, scratch)
            rows = [(g, o, s) for (g, o), s in zip(chosen, spun) if o != s]
            write(args.out, half, f"sim-{style}-{rate}", rows)
            print(f"{half} sim-{style}-{rate}: {len(rows)} pairs", file=sys.stderr)
        rng = random.Random(f"{args.seed}-{half}-real")
        pattern = make_eval_sets.dictionary_pattern(table)
        rows = []
        for group, original in chosen:
            spun = make_eval_sets.real_dictionary_spin(original, table, function_words, pattern,
                                                       rng)
            if spun != original:
                rows.append((group, original, spun))
        write(args.out, half, "real-dict", rows)
        print(f"{half} real-dict: {len(rows)} pairs", file=sys.stderr)
        spun = simulate(args.unspin, [d for _, d in docs], "thesaurus", 0.25, args.seed, scratch)
        rows = [(g, o, s) for (g, o), s in zip(docs, spun) if o != s]
        write(args.out, half, "doc-thesaurus-0.25", rows)
        print(f"{half} doc-thesaurus-0.25: {len(rows)} pairs", file=sys.stderr)
        rows = []
        for group, original in docs:
            spun = make_eval_sets.real_dictionary_spin(original, table, function_words, pattern,
                                                       rng)
            if spun != original:
                rows.append((group, original, spun))
        write(args.out, half, "doc-real-dict", rows)
        print(f"{half} doc-real-dict: {len(rows)} pairs", file=sys.stderr)
    os.remove(scratch)


if __name__ == "__main__":
    main()
