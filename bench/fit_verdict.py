#!/usr/bin/env python3
"""Fits the default verdict of `unspin check` and measures it by leaving each genre out.

Reads bench/make_genre_sets.py's pairs (OUT/fit and OUT/eval: the 15 Brown genres, speeches and
Reuters, each spun in five styles), asks `unspin check --features --lines` for the detector's
counts of every text, and fits the same logistic regression as pipeline::FitDetector on the
inputs of pipeline::DetectorInputs (reimplemented here, independently):

  the words whose best candidate gains >= 2, 3, 4, 5 log10 per eligible word (prior of 30),
  article disagreements per unquoted word (prior of 50), each times sqrt(max(n,100)/100),
  and that length weight; originals weigh ORIGINAL_WEIGHT against a spun text's 1.

For each group G it fits on the fit half of every other group and scores the eval half of G:
originals called spun (p >= 0.5), ROC AUC per style, and the calibration (ECE, 10 bins) of
the half-spun mix of all styles. The probability is pipeline::SpunProbability's: the fit's log
odds z moved to the spun share (--spun-share, 0.5 as `check`'s default), held under 0.5 below
the evidence floor z = 0 (posteriors above 0.48 there squeezed into 0.48-0.49). Then it fits
on the whole fit half and prints the weights, which are pipeline::DetectorWeights::Default().

usage: bench/fit_verdict.py [--unspin BIN] [--sets build/genre] [--original-weight 12]
"""
import argparse
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from genre_report import calibration_error, roc_auc  # noqa: E402  (one definition of each)

STYLES = ("sim-thesaurus-0.25", "sim-thesaurus-0.6", "sim-phrase-0.6", "sim-sparse-0.6",
          "real-dict", "doc-thesaurus-0.25", "doc-real-dict")
L2 = 1e-6  # per example, as FitDetector's kL2


FEATURE_CACHE = {}  # text -> features, kept in --cache FILE between runs of the same binary


def features(unspin, texts):
    missing = sorted({t for t in texts if t not in FEATURE_CACHE})
    if missing:
        for text, found in zip(missing, check_features(unspin, missing)):
            FEATURE_CACHE[text] = found
    return [FEATURE_CACHE[t] for t in texts]


def check_features(unspin, texts):
    run = subprocess.run([unspin, "check", "--features", "--lines", "-"],
                         input="".join(" ".join(t.split()) + "\n" for t in texts),
                         capture_output=True, text=True)
    out = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    if len(out) != len(texts):
        sys.exit(f"fit_verdict: {len(out)} feature lines for {len(texts)} texts: {run.stderr}")
    return out


def load(unspin, folder):
    """Rows (group, style, spun, features); each original once per style it was spun in."""
    pairs = {s: [json.loads(l) for l in open(os.path.join(folder, f"{s}.jsonl"))] for s in STYLES}
    originals = sorted({p["original"] for s in STYLES for p in pairs[s]})
    spun = [(s, p) for s in STYLES for p in pairs[s]]
    found = features(unspin, originals + [p["spun"] for _, p in spun])
    of_original = dict(zip(originals, found[: len(originals)]))
    rows = []
    for (style, pair), f in zip(spun, found[len(originals):]):
        rows.append((pair["group"], style, 1, f))
        rows.append((pair["group"], style, 0, of_original[pair["original"]]))
    return rows


def inputs(f):
    unquoted = f["words"] - f["quoted_words"]
    length = math.sqrt(max(unquoted, 100) / 100)
    eligible_scale = length / (f["eligible_words"] + 30)
    g = f["gain_at_least"]
    return [g[1] * eligible_scale, g[2] * eligible_scale, g[3] * eligible_scale,
            g[4] * eligible_scale, f["article_disagreements"] * length / (unquoted + 50), length]


def sigmoid(z):
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def fit(examples, original_weight, iterations=12):
    k = len(examples[0][0]) + 1
    b = [0.0] * k
    n = len(examples)
    for _ in range(iterations):
        gradient = [0.0] * k
        hessian = [[0.0] * k for _ in range(k)]
        for x, y in examples:
            v = [1.0] + x
            p = sigmoid(sum(bi * vi for bi, vi in zip(b, v)))
            weight = 1.0 if y else original_weight
            for i in range(k):
                gradient[i] += weight * (p - y) * v[i]
                for j in range(k):
                    hessian[i][j] += weight * p * (1 - p) * v[i] * v[j]
        for i in range(k):
            gradient[i] += L2 * n * b[i]
            hessian[i][i] += L2 * n
        a = [hessian[i][:] + [gradient[i]] for i in range(k)]
        for c in range(k):
            pivot = max(range(c, k), key=lambda r: abs(a[r][c]))
            a[c], a[pivot] = a[pivot], a[c]
            for r in range(k):
                if r != c and a[c][c] != 0:
                    factor = a[r][c] / a[c][c]
                    for j in range(c, k + 1):
                        a[r][j] -= factor * a[c][j]
        b = [bi - (a[i][k] / a[i][i] if a[i][i] else 0) for i, bi in enumerate(b)]
    return b


BELOW_FLOOR_CAP = 0.49  # pipeline::kBelowFloorCap
BELOW_FLOOR_SQUEEZE_START = 0.48  # pipeline::kBelowFloorSqueezeStart


def floored(z, share, original_weight):
    shift = math.log(share / (1 - share)) + math.log(original_weight)
    posterior = sigmoid(z + shift)
    if z >= 0 or posterior <= BELOW_FLOOR_SQUEEZE_START:
        return posterior
    at_floor = sigmoid(shift)
    if at_floor <= BELOW_FLOOR_CAP:
        return posterior
    return BELOW_FLOOR_SQUEEZE_START + (BELOW_FLOOR_CAP - BELOW_FLOOR_SQUEEZE_START) * (
        posterior - BELOW_FLOOR_SQUEEZE_START) / (at_floor - BELOW_FLOOR_SQUEEZE_START)


def predict(b, x, share, original_weight):
    return floored(b[0] + sum(bi * xi for bi, xi in zip(b[1:], x)), share, original_weight)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    ap.add_argument("--sets", default=os.path.join(here, "../build/genre"))
    ap.add_argument("--original-weight", type=float, default=12.0)
    ap.add_argument("--show", nargs="*", default=[], help="texts to print the verdict of")
    ap.add_argument("--frontier", default="",
                    help="comma-separated original weights: print max false alarms and pooled "
                         "ECE for each")
    ap.add_argument("--cache", default="",
                    help="JSON file of every text's features, read if it exists and written "
                         "after (delete it when the checker changes)")
    ap.add_argument("--spun-share", type=float, default=0.5,
                    help="the share of spun texts the probability is calibrated to (check's "
                         "--spun-share; the fit's own is 1 / (1 + original weight))")
    args = ap.parse_args()
    if args.cache and os.path.exists(args.cache):
        with open(args.cache, encoding="utf-8") as f:
            FEATURE_CACHE.update(json.load(f))
    fit_rows = load(args.unspin, os.path.join(args.sets, "fit"))
    eval_rows = load(args.unspin, os.path.join(args.sets, "eval"))
    if args.cache:
        with open(args.cache, "w", encoding="utf-8") as f:
            json.dump(FEATURE_CACHE, f)
    groups = sorted({r[0] for r in fit_rows})
    share = args.spun_share
    for weight in [float(w) for w in args.frontier.split(",") if w]:
        worst, pooled_p, pooled_y = 0.0, [], []
        for group in groups:
            b = fit([(inputs(r[3]), r[2]) for r in fit_rows if r[0] != group], weight)
            held = [r for r in eval_rows if r[0] == group]
            originals = {id(r[3]): predict(b, inputs(r[3]), share, weight)
                         for r in held if r[2] == 0}
            worst = max(worst, sum(p >= 0.5 for p in originals.values()) / max(1, len(originals)))
            pooled_p += [predict(b, inputs(r[3]), share, weight) for r in held]
            pooled_y += [r[2] for r in held]
        print(f"original weight {weight:g}, spun share {share:g}: worst genre's false alarms "
              f"{worst:.3f}, pooled ECE {calibration_error(pooled_p, pooled_y):.4f}")
    print(f"{'held out':<18} {'originals':>9} {'FA@0.5':>7} " +
          " ".join(f"{s:>18}" for s in STYLES) + f" {'ECE':>6}")
    pooled_p, pooled_y = [], []
    for group in groups:
        b = fit([(inputs(r[3]), r[2]) for r in fit_rows if r[0] != group], args.original_weight)
        held = [r for r in eval_rows if r[0] == group]
        scored = [(r[1], r[2], predict(b, inputs(r[3]), share, args.original_weight))
                  for r in held]
        unique_originals = {id(r[3]): predict(b, inputs(r[3]), share, args.original_weight)
                            for r in held if r[2] == 0}
        false_alarms = sum(p >= 0.5 for p in unique_originals.values()) / max(1, len(unique_originals))
        aucs = []
        for style in STYLES:
            aucs.append(roc_auc([p for s, y, p in scored if s == style and y == 0],
                                [p for s, y, p in scored if s == style and y == 1]))
        ps = [p for _, _, p in scored]
        ys = [y for _, y, _ in scored]
        pooled_p += ps
        pooled_y += ys
        print(f"{group:<18} {len(unique_originals):>9} {false_alarms:>7.3f} " +
              " ".join(f"{a:>18.3f}" for a in aucs) + f" {calibration_error(ps, ys):>6.3f}")
    print(f"pooled ECE (every group held out in turn, half-spun mix of all styles): "
          f"{calibration_error(pooled_p, pooled_y):.4f}")
    b = fit([(inputs(r[3]), r[2]) for r in fit_rows], args.original_weight)
    for path in args.show:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        p = predict(b, inputs(features(args.unspin, [text])[0]), share, args.original_weight)
        print(f"{path}: spun probability {p:.3f}")
    names = ("bias", "gain2_rate", "gain3_rate", "gain4_rate", "gain5_rate", "artefact_rate",
             "length")
    print("DetectorWeights::Default(): " + ", ".join(f".{n} = {w:.4f}" for n, w in zip(names, b)))


if __name__ == "__main__":
    main()
