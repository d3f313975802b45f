#!/usr/bin/env python3
"""Measures `unspin channel learn --unsupervised`: a spinner's dictionary learned from its
spun texts alone, then used to check those texts (`check --channel`), side by side with the
same texts checked without it.

Sets (made here, seeded, from ../shared, read at run time and never copied):
  real-dict, real-dnw, real-pointout, real-spinbot
      corpus paragraphs (bench/make_eval_sets.py's sample) with the real spinners'
      substitutions applied (all spinners, then one dictionary spinner at a time), as
      make_eval_sets.py makes real-dict.jsonl and real-<style>.jsonl;
  brown-consistent
      Brown paragraphs (60-200 words) spun by `unspin simulate --style thesaurus
      --consistent --rate 0.25`: a fixed dictionary, each word form always swapped for the
      same synonym;
  brown-random
      the same paragraphs spun by `simulate --style thesaurus --rate 0.25`: a random synonym
      at every occurrence, a spinner that is not a dictionary (how the learner fails).
For each set, the table is learned from the first N spun paragraphs (no originals) and
/work/shared/peers/score_pairs.py scores those N pairs with and without `--channel TABLE`
(AUC, error reduction, false changes on the originals ...). Also measured: a batch of half
originals and half spun texts (top entries shared with the spun batch's), a batch of
originals only (entries learned, share of the originals' words they change), the learning
curve (50, 100, 300, 1000 paragraphs) and the time to learn from 1000.

usage: bench/unsupervised_channel.py [--unspin BIN] [--out build/unsupervised] [--shared DIR]
       [--sets real-dict,...] [--paragraphs 300] [--curve 50,100,300,1000]
"""
import argparse, glob, json, os, random, re, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import make_eval_sets as m  # noqa: E402

SETS = ("real-dict", "real-dnw", "real-pointout", "real-spinbot", "brown-consistent",
        "brown-random")


def brown_paragraphs(shared, count, seed):
    texts = []
    for folder in sorted(glob.glob(os.path.join(shared, "corpora/brown/*/"))):
        for path in sorted(glob.glob(os.path.join(folder, "*.txt"))):
            with open(path, encoding="utf-8") as f:
                blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", f.read())]
            group = []
            for block in (b for b in blocks if b):
                group.append(block)
                joined = " ".join(group)
                if len(joined.split()) >= 60:
                    if len(joined.split()) <= 200:
                        texts.append(joined)
                    group = []
    random.Random(seed).shuffle(texts)
    return texts[:count]


def make_set(name, args, count):
    path = os.path.join(args.out, f"{name}.jsonl")
    if os.path.exists(path):
        return [json.loads(line) for line in open(path, encoding="utf-8")]
    if name.startswith("brown-"):
        originals = brown_paragraphs(args.shared, count * 2, args.seed)
        scratch = os.path.join(args.out, "brown-originals.txt")
        with open(scratch, "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in originals))
        consistent = ["--consistent"] if name == "brown-consistent" else []
        run = subprocess.run([args.unspin, "simulate", "--style", "thesaurus", *consistent,
                              "--rate", "0.25", "--seed", str(args.seed), "--lines", scratch],
                             capture_output=True, text=True, check=True)
        spun = run.stdout.split("\n")[: len(originals)]
        pairs = [(o, s) for o, s in zip(originals, spun) if o != s][:count]
    else:
        style = name.split("-", 1)[1]
        paragraphs = m.sample_paragraphs(args.shared, count, args.seed)
        tsv = os.path.join(args.shared, "data/real-substitutions-dev.tsv")
        keep = None if style == "dict" else (lambda value, style=style: value == style)
        table, function_words = m.load_real_substitutions(tsv, keep_style=keep)
        pairs = m.dictionary_pairs(paragraphs, count, table, function_words,
                                   random.Random(f"{args.seed}-{style}"))
    m.write_pairs(path, name, pairs)
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def write_texts(path, texts):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(" ".join(t.split()) + "\n" for t in texts))


def learn(args, texts_path, table_path):
    start = time.monotonic()
    run = subprocess.run([args.unspin, "channel", "learn", "--unsupervised", "--lines",
                          "-o", table_path, texts_path], capture_output=True, text=True)
    seconds = time.monotonic() - start
    if run.returncode != 0:
        return None, seconds, run.stderr.strip()
    return read_table(table_path), seconds, run.stderr.strip()


def read_table(path):
    """The learned swaps: (original, spun) -> preferred count, from the evidence lines."""
    swaps = {}
    for line in open(path, encoding="utf-8"):
        fields = line.rstrip("\n").split("\t")
        if fields[0] == "# evidence" and fields[1] != "original":
            swaps[(fields[1], fields[2])] = int(fields[3])
    return swaps


def score(args, pairs_path, table_path=None):
    extra = ["--check-args", f"--channel {table_path}"] if table_path else []
    run = subprocess.run(["/usr/bin/python3", args.score, *extra, args.unspin, pairs_path],
                         capture_output=True, text=True, check=True)
    line = run.stdout.strip().splitlines()[-1]
    return dict(kv.split("=") for kv in line.split()[1:])


def top(swaps, n=20):
    return [k for k, _ in sorted(swaps.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    ap.add_argument("--out", default=os.path.join(here, "../build/unsupervised"))
    ap.add_argument("--shared", default=os.path.join(here, "../../shared"))
    ap.add_argument("--score", default=None, help="score_pairs.py (default: SHARED/peers/)")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--paragraphs", type=int, default=300)
    ap.add_argument("--curve", default="50,100,300,1000")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    args.score = args.score or os.path.join(args.shared, "peers/score_pairs.py")
    os.makedirs(args.out, exist_ok=True)
    curve = [int(n) for n in args.curve.split(",") if n]
    size = max([args.paragraphs, *curve])

    print(f"{'set':<18} {'table':<8} {'entries':>7} {'auc':>6} {'false_al':>8} {'caught':>6} "
          f"{'err_red':>7} {'collat':>7} {'false_chg':>9}")
    extras = []
    for name in [s for s in args.sets.split(",") if s]:
        rows = make_set(name, args, size)
        batch = rows[: args.paragraphs]
        pairs_path = os.path.join(args.out, f"{name}.{args.paragraphs}.jsonl")
        with open(pairs_path, "w", encoding="utf-8") as f:
            f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch))
        spun_path = os.path.join(args.out, f"{name}.spun.txt")
        write_texts(spun_path, [r["spun"] for r in batch])
        table = os.path.join(args.out, f"{name}.table.tsv")
        swaps, _, message = learn(args, spun_path, table)
        results = [("none", None, "-")]
        if swaps is not None:
            results.append(("learned", table, str(len(swaps))))
        else:
            print(f"{name}: nothing learned: {message}", file=sys.stderr)
        for label, path, entries in results:
            r = score(args, pairs_path, path)
            print(f"{name:<18} {label:<8} {entries:>7} {r['auc']:>6} {r['false_alarms']:>8} "
                  f"{r['caught']:>6} {r['error_reduction']:>7} {r['collateral']:>7} "
                  f"{r['false_changes']:>9}", flush=True)

        # Half originals, half spun: the same top entries?
        half = len(batch) // 2
        mixed_path = os.path.join(args.out, f"{name}.mixed.txt")
        write_texts(mixed_path, [r["original"] for r in batch[:half]] +
                    [r["spun"] for r in batch[half:]])
        mixed, _, _ = learn(args, mixed_path, os.path.join(args.out, f"{name}.mixed.tsv"))
        # Originals only: what is learned, and what share of their words it changes.
        orig_path = os.path.join(args.out, f"{name}.originals.txt")
        write_texts(orig_path, [r["original"] for r in batch])
        orig_table = os.path.join(args.out, f"{name}.originals.tsv")
        originals, _, orig_message = learn(args, orig_path, orig_table)
        orig_changes = "-"
        if originals:
            base = score(args, pairs_path)
            with_table = score(args, pairs_path, orig_table)
            orig_changes = (f"{float(with_table['false_changes']) - float(base['false_changes']):+.4f}"
                            f" (false changes {base['false_changes']} -> "
                            f"{with_table['false_changes']})")
        spun_top = top(swaps or {})
        shared = len(set(spun_top) & set(top(mixed or {}))) if mixed else 0
        line = (f"{name}: mixed batch learned {len(mixed or {})} entries, {shared} of the spun "
                f"batch's top {len(spun_top)}; originals-only batch learned "
                f"{len(originals or {})} entries" +
                (f", changing {orig_changes} of the originals' words" if originals else
                 f" ({orig_message.splitlines()[-1] if orig_message else 'none'})"))
        extras.append(line)

        # Learning curve and time.
        for n in curve:
            if n > len(rows):
                continue
            curve_pairs = os.path.join(args.out, f"{name}.curve{n}.jsonl")
            with open(curve_pairs, "w", encoding="utf-8") as f:
                f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:n]))
            curve_spun = os.path.join(args.out, f"{name}.curve{n}.txt")
            write_texts(curve_spun, [r["spun"] for r in rows[:n]])
            curve_table = os.path.join(args.out, f"{name}.curve{n}.tsv")
            learned, seconds, message = learn(args, curve_spun, curve_table)
            if learned is None:
                extras.append(f"{name}: curve {n}: nothing learned ({message.splitlines()[-1]})")
                continue
            # Scored on the first 300 (or n) pairs, so the points compare.
            r = score(args, pairs_path if n >= args.paragraphs else curve_pairs, curve_table)
            extras.append(f"{name}: curve {n:5d} paragraphs: {len(learned):4d} entries, "
                          f"learned in {seconds:5.1f} s; on {min(n, args.paragraphs)} pairs "
                          f"auc={r['auc']} error_reduction={r['error_reduction']} "
                          f"false_changes={r['false_changes']}")
    print()
    print("\n".join(extras))


if __name__ == "__main__":
    main()
