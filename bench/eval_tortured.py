#!/usr/bin/env python3
"""Tortured-phrase benchmark for `unspin check`.

Each tortured phrase of ../shared/data/tortured-phrases.tsv (read at run time,
never copied: it is a benchmark, not model data) is checked alone as one line
(`unspin check --lines --json`). For every phrase:

  flagged  the checker reported at least one span;
  top-1    the restored line names the expected phrase: equal once the list's
           annotations are left out of both ("deep learning (DL)": notes in
           parentheses or brackets, quotes, question marks), ignoring case,
           spacing and hyphens;
  top-5    the expected phrase is among the first five readings so compared:
           the restored line, then, span by span and alternative by
           alternative, the restored line with that one span's original
           replaced by the alternative (duplicates removed).

The expected phrases, without their annotations, are checked alone the same way:
how often a real term is flagged is the false-alarm side of `flagged`.

With --learn-half the phrases are split in two by phrase (a fixed seed): `unspin
channel learn --phrases` learns a table from one half, `unspin model build
--channel` builds a model with it (in a temporary folder), and the other half is
checked with the default model and with the learned one, side by side. The share
of held-out phrases whose every word swap was seen in the learned half is printed
too: what the table alone can reach.

usage: bench/eval_tortured.py [--unspin BIN] [--shared DIR] [--limit N] [--misses N]
                              [--learn-half] [-- extra `unspin check` flags]
"""
import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time


def norm(text):
    return " ".join(text.lower().split())


def term(text):
    """A list entry without its annotations: parenthesised or bracketed notes
    ("deep learning (DL)", "[neural network] layer outputs", "(?)"), quotes and
    question marks."""
    text = re.sub(r"\s*[\(\[][^\)\]]*[\)\]]", "", text)
    return " ".join(re.sub(r"[\"\u201c\u201d?]", " ", text).split())


def same_term(reading, expected):
    """A reading names the expected term: equal without annotations, case, or
    hyphens ("down-sampling" is "downsampling")."""
    return norm(term(reading)).replace("-", "") == norm(term(expected)).replace("-", "")


def readings(line, result):
    spans = result["spans"]

    def build(replacements):
        out, last = [], 0
        data = line.encode("utf-8")
        for span, text in zip(spans, replacements):
            out.append(data[last:span["start"]].decode("utf-8", "replace"))
            out.append(text)
            last = span["end"]
        out.append(data[last:].decode("utf-8", "replace"))
        return "".join(out)

    best = [span["original"] for span in spans]
    found = [build(best)]
    for k, span in enumerate(spans):
        for alternative in span["alternatives"]:
            variant = list(best)
            variant[k] = alternative
            found.append(build(variant))
    unique = []
    for reading in found:
        if norm(reading) not in [norm(u) for u in unique]:
            unique.append(reading)
    return unique


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    ap.add_argument("--shared", default=os.path.join(here, "../../shared"))
    ap.add_argument("--limit", type=int, default=0, help="first N phrases only (0: all)")
    ap.add_argument("--misses", type=int, default=0, help="print N missed phrases")
    ap.add_argument("--learn-half", action="store_true",
                    help="learn a table from half the phrases, check the other half with it")
    ap.add_argument("extra", nargs="*", help="flags passed to unspin check (after --)")
    args = ap.parse_args()

    rows = []
    with open(os.path.join(args.shared, "data/tortured-phrases.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {name: i for i, name in enumerate(header)}
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < len(header):
                continue
            tortured = " ".join(fields[col["tortured"]].split())
            expected = " ".join(fields[col["expected"]].split())
            if tortured and expected:
                rows.append((tortured, expected, fields[col["match_type"]].split("(")[0]))
    if args.limit:
        rows = rows[: args.limit]

    if not args.learn_half:
        evaluate(args.unspin, rows, args.extra, "default model", args.misses)
        return
    phrases = sorted({t for t, _, _ in rows})
    random.Random(20261207).shuffle(phrases)
    learned = set(phrases[: len(phrases) // 2])
    learn_rows = [r for r in rows if r[0] in learned]
    held_rows = [r for r in rows if r[0] not in learned]
    with tempfile.TemporaryDirectory() as folder:
        table_input = os.path.join(folder, "learn.tsv")
        with open(table_input, "w", encoding="utf-8") as f:
            f.write("tortured\texpected\n")
            f.write("".join(f"{t}\t{e}\n" for t, e, _ in learn_rows))
        table = os.path.join(folder, "table.tsv")
        model = os.path.join(folder, "learned.unspin")
        for command in (["channel", "learn", "--phrases", table_input, "-o", table],
                        ["model", "build", "--channel", table, "-o", model]):
            run = subprocess.run([args.unspin, *command], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"eval_tortured: unspin {command[0]} {command[1]} failed: {run.stderr}")
        print(f"learned from {len(learn_rows)} phrases; held out {len(held_rows)}; "
              f"every word swap seen: {100 * covered_share(learn_rows, held_rows):.1f}%\n")
        evaluate(args.unspin, held_rows, args.extra, "held-out half, default model", 0)
        print()
        evaluate(args.unspin, held_rows, ["--model", model, *args.extra],
                 "held-out half, learned table", args.misses)


def words(phrase):
    return re.findall(r"[a-z0-9]+", phrase.lower())


def covered_share(learn_rows, held_rows):
    """Held-out phrases of as many words as their expected phrase whose every
    differing word pair occurs in an equal-length learned phrase, per held-out phrase."""
    seen = set()
    for tortured, expected, _ in learn_rows:
        a, b = words(expected), words(tortured)
        if len(a) == len(b):
            seen.update((x, y) for x, y in zip(a, b) if x != y)
    covered = 0
    for tortured, expected, _ in held_rows:
        a, b = words(expected), words(tortured)
        if len(a) == len(b) and all(x == y or (x, y) in seen for x, y in zip(a, b)):
            covered += 1
    return covered / max(len(held_rows), 1)


def check_lines(unspin, lines, extra):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("".join(t + "\n" for t in lines))
        path = f.name
    try:
        start = time.monotonic()
        run = subprocess.run([unspin, "check", "--lines", "--json", *extra, path],
                             capture_output=True, text=True)
        seconds = time.monotonic() - start
    finally:
        os.unlink(path)
    if run.returncode != 0:
        sys.exit(f"eval_tortured: unspin check failed ({run.returncode}): {run.stderr}")
    results = [json.loads(line) for line in run.stdout.splitlines()]
    if len(results) != len(lines):
        sys.exit(f"eval_tortured: {len(results)} results for {len(lines)} lines")
    return results, seconds


def evaluate(unspin, rows, extra, title, miss_count):
    results, seconds = check_lines(unspin, [t for t, _, _ in rows], extra)
    expected_results, _ = check_lines(unspin, [term(e) for _, e, _ in rows], extra)
    totals = collections.Counter()
    by_type = collections.defaultdict(collections.Counter)
    misses = []
    for (tortured, expected, match_type), result, real in zip(rows, results, expected_results):
        found = readings(tortured, result)
        flagged = bool(result["spans"])
        top1 = same_term(found[0], expected)
        top5 = any(same_term(r, expected) for r in found[:5])
        for counter in (totals, by_type[match_type]):
            counter["phrases"] += 1
            counter["flagged"] += flagged
            counter["top1"] += top1
            counter["top5"] += top5
            counter["real_flagged"] += bool(real["spans"])
        if not top5 and len(misses) < miss_count:
            misses.append((tortured, expected, found[:5]))

    def row(name, c):
        n = max(c["phrases"], 1)
        print(f"{name:<34} {c['phrases']:7d} {100 * c['flagged'] / n:8.1f}% "
              f"{100 * c['top1'] / n:6.1f}% {100 * c['top5'] / n:6.1f}% "
              f"{100 * c['real_flagged'] / n:14.1f}%")

    print(title)
    print(f"{'match_type':<34} {'phrases':>7} {'flagged':>9} {'top-1':>7} {'top-5':>7} "
          f"{'expected flagged':>15}")
    for name in sorted(by_type, key=lambda k: -by_type[k]["phrases"])[:4]:
        row(name, by_type[name])
    row("all", totals)
    print(f"{len(rows) / seconds:.0f} phrases/s (one process, model load included)")
    for tortured, expected, found in misses:
        print(f"miss: {tortured!r} expected {expected!r}; got {found}")

if __name__ == "__main__":
    main()
