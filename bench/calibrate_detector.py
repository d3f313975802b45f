#!/usr/bin/env python3
"""Fits the spun-probability calibration of `unspin check` on evaluation sets.

The fit is unspin's own: the TRAIN sets' (original, spun) pairs go to
`unspin model calibrate` on the default model (logistic regression of the
verdict's inputs, pipeline::FitDetector), whose weights are printed: they are
what `unspin model calibrate` fits for a newsroom's own model (the defaults of
pipeline::DetectorWeights are fitted on every genre by bench/fit_verdict.py). The
calibrated copy of the model then checks every text of the TRAIN and TEST
sets (`unspin check --lines --json`); printed for each are the ROC AUC, the
log loss, F1 at 0.5 and the calibration curve: texts binned by predicted
spun probability, with the share of them that really are spun (a calibrated
detector has the share near the bin's mean prediction). The TEST sets must
use a spinner style the fit never saw.

The defaults are fitted on sets made from other paragraphs than the
evaluation sets (`make_eval_sets.py --seed 2`), with every pair whose
original is also in an evaluation set dropped (--exclude), so that every
number bench/eval_check.sh reports is measured on texts the fit never saw:

  python3 bench/make_eval_sets.py --out build/fit --seed 2 --paragraphs 900
  python3 bench/calibrate_detector.py --exclude build/eval/{sim,real,doc,quote}-*.jsonl \
      --train build/fit/{sim,quote}-{phrase,sparse,thesaurus}.jsonl \
              build/fit/real-dict.jsonl build/fit/quote-real.jsonl \
      --test build/eval/real-{dict,pointout,dnw,spinbot,mt,aipara}.jsonl build/eval/quote-real.jsonl
"""
import argparse
import bisect
import json
import math
import os
import subprocess
import sys
import tempfile

NAMES = ("bias", "gain2_rate", "gain3_rate", "gain4_rate", "gain5_rate", "artefact_rate",
         "length")


def read_pairs(paths):
    pairs = []
    for path in paths:
        pairs += [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    return pairs


def normalized(text):
    return " ".join(text.split())


def excluded_originals(paths):
    """The originals of every pair in `paths` (key files and other lines without one skipped)."""
    originals = set()
    for pair in read_pairs(paths):
        if isinstance(pair, dict) and isinstance(pair.get("original"), str):
            originals.add(normalized(pair["original"]))
    return originals


def probabilities(unspin, model, texts):
    joined = "\n".join(t.replace("\n", " ") for t in texts) + "\n"
    out = subprocess.run([unspin, "check", "--model", model, "--lines", "--json", "-"],
                         input=joined, capture_output=True, text=True, check=True).stdout
    return [json.loads(line)["spun_probability"] for line in out.splitlines()]


def auc(scores, ys):
    pos = sorted(s for s, y in zip(scores, ys) if y == 1)
    neg = [s for s, y in zip(scores, ys) if y == 0]
    wins = 0.0
    for q in neg:  # positives above q, ties counting half
        wins += len(pos) - bisect.bisect_right(pos, q) + 0.5 * (
            bisect.bisect_right(pos, q) - bisect.bisect_left(pos, q))
    return wins / (len(pos) * len(neg))


def print_curve(name, ps, ys, bins=10):
    print(f"{name} calibration curve: predicted spun probability bin, texts, mean predicted, "
          "share spun")
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [(p, y) for p, y in zip(ps, ys) if low <= p < high or (b == bins - 1 and p == 1)]
        if not members:
            print(f"  {low:.1f}-{high:.1f}  {0:5d}")
            continue
        mean_p = sum(p for p, _ in members) / len(members)
        share = sum(y for _, y in members) / len(members)
        print(f"  {low:.1f}-{high:.1f}  {len(members):5d}  {mean_p:.3f}  {share:.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unspin", default="build/release/tools/unspin")
    parser.add_argument("--model", default="", help="model to fit (default: the built-in)")
    parser.add_argument("--train", nargs="+", required=True)
    parser.add_argument("--test", nargs="+", required=True)
    parser.add_argument("--exclude", nargs="*", default=[],
                        help="drop training pairs whose original is in one of these files")
    args = parser.parse_args()
    excluded = excluded_originals(args.exclude)
    with tempfile.TemporaryDirectory() as work:
        train_path = os.path.join(work, "train.jsonl")
        train = read_pairs(args.train)
        kept = [pair for pair in train if normalized(pair["original"]) not in excluded]
        with open(train_path, "w", encoding="utf-8") as out:
            for pair in kept:
                out.write(json.dumps({"original": pair["original"], "spun": pair["spun"]}) + "\n")
        print(f"fit on {len(kept)} pairs ({len(train) - len(kept)} dropped: their original is "
              "in an excluded file)")
        calibrated = os.path.join(work, "calibrated.unspin")
        command = [args.unspin, "model", "calibrate", "--pairs", train_path, "-o", calibrated]
        if args.model:
            command += ["--model", args.model]
        fit = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        weights = next(l for l in fit.splitlines() if l.startswith("weights\t")).split("\t")[1:]
        print("  ".join(f"{n} = {w}" for n, w in zip(NAMES, weights)))
        for name, pairs in (("train", kept), ("test", read_pairs(args.test))):
            ps = (probabilities(args.unspin, calibrated, [p["original"] for p in pairs]) +
                  probabilities(args.unspin, calibrated, [p["spun"] for p in pairs]))
            ys = [0] * len(pairs) + [1] * len(pairs)
            loss = -sum(math.log(max(1e-12, p if y else 1 - p)) for p, y in zip(ps, ys)) / len(ys)
            tp = sum(1 for p, y in zip(ps, ys) if p >= 0.5 and y)
            fp = sum(1 for p, y in zip(ps, ys) if p >= 0.5 and not y)
            fn = sum(1 for p, y in zip(ps, ys) if p < 0.5 and y)
            f1 = 2 * tp / max(1, 2 * tp + fp + fn)
            print(f"{name}: n={len(ys)} auc={auc(ps, ys):.4f} log_loss={loss:.4f} f1={f1:.3f}")
            print_curve(name, ps, ys)
    return 0


if __name__ == "__main__":
    sys.exit(main())
