#!/usr/bin/env python3
"""Fits the spun-probability calibration of `unspin check` on evaluation sets.

For every (original, spun) pair of the TRAIN sets, runs `unspin check --lines
--features` on both texts (the detector's inputs: words, spans, evidence,
soft_evidence, quoted_words, quoted_soft_evidence), turns them into the
features src/pipeline/check.cc uses (SpunProbability: rates per unquoted word,
weighted beyond a paragraph's length by the square root of the length in
paragraphs, that weight itself, the soft evidence per quoted word and the
quoted share), and fits a logistic
regression p = sigmoid(b0 + b . features) by Newton's method
with a small L2 penalty. Prints the coefficients (the defaults of
pipeline::DetectorWeights in src/pipeline/check.cc; `unspin model calibrate`
fits the same way inside unspin, for another model) and the ROC AUC and
log loss on the TEST sets, which must use a spinner style the fit never saw,
and the calibration curve of each: texts binned by predicted spun
probability, with the share of them that really are spun (a calibrated
detector has the share near the bin's mean prediction).

usage: bench/calibrate_detector.py --train build/eval/{sim,quote}-{phrase,sparse,thesaurus}.jsonl
                                  --test build/eval/real-dict.jsonl build/eval/quote-real.jsonl
"""
import argparse
import json
import math
import subprocess
import sys

PRIOR_WORDS = 50.0   # kDetectorPriorWords in check.cc
QUOTED_PRIOR_WORDS = 20.0  # kDetectorQuotedPriorWords in check.cc
PARAGRAPH_WORDS = 100.0  # kDetectorParagraphWords in check.cc
NAMES = ("span_rate", "evidence_rate", "soft_evidence_rate", "quoted_soft_evidence_rate",
         "quoted_share", "length_weight")


def features(unspin, texts):
    joined = "\n".join(t.replace("\n", " ") for t in texts) + "\n"
    out = subprocess.run([unspin, "check", "--lines", "--features", "-"], input=joined,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in out:
        f = json.loads(line)
        quoted = f["quoted_words"]
        unquoted = f["words"] - quoted
        weight = math.sqrt(max(unquoted, PARAGRAPH_WORDS) / PARAGRAPH_WORDS)
        scale = weight / (unquoted + PRIOR_WORDS)
        quoted_scale = 1.0 / (quoted + QUOTED_PRIOR_WORDS)
        rows.append((f["spans"] * scale, f["evidence"] * scale, f["soft_evidence"] * scale,
                     f["quoted_soft_evidence"] * quoted_scale, quoted * quoted_scale, weight))
    return rows


def load(unspin, paths):
    xs, ys = [], []
    for path in paths:
        pairs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
        for label, key in ((0, "original"), (1, "spun")):
            for row in features(unspin, [p[key] for p in pairs]):
                xs.append(row)
                ys.append(label)
    return xs, ys


def fit(xs, ys, l2=1e-4, iterations=50):
    k = 1 + len(NAMES)
    b = [0.0] * k
    for _ in range(iterations):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in zip(xs, ys):
            v = (1.0,) + tuple(x)
            z = sum(bi * vi for bi, vi in zip(b, v))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            for i in range(k):
                grad[i] += (p - y) * v[i]
                for j in range(k):
                    hess[i][j] += p * (1 - p) * v[i] * v[j]
        for i in range(k):
            grad[i] += l2 * b[i] * len(xs)
            hess[i][i] += l2 * len(xs)
        step = solve(hess, grad)
        b = [bi - si for bi, si in zip(b, step)]
    return b


def solve(a, g):
    n = len(g)
    m = [row[:] + [g[i]] for i, row in enumerate(a)]
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[pivot] = m[pivot], m[c]
        for r in range(n):
            if r != c and m[c][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] if m[i][i] else 0.0 for i in range(n)]


def auc(scores, ys):
    pos = [s for s, y in zip(scores, ys) if y == 1]
    neg = [s for s, y in zip(scores, ys) if y == 0]
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
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
    parser.add_argument("--train", nargs="+", required=True)
    parser.add_argument("--test", nargs="+", required=True)
    args = parser.parse_args()
    train_x, train_y = load(args.unspin, args.train)
    b = fit(train_x, train_y)
    print("bias = %.4f  " % b[0] + "  ".join("%s = %.4f" % (n, w) for n, w in zip(NAMES, b[1:])))
    for name, paths in (("train", args.train), ("test", args.test)):
        xs, ys = (train_x, train_y) if name == "train" else load(args.unspin, paths)
        zs = [b[0] + sum(w * xi for w, xi in zip(b[1:], x)) for x in xs]
        ps = [1 / (1 + math.exp(-max(-30, min(30, z)))) for z in zs]
        loss = -sum(math.log(max(1e-12, p if y else 1 - p)) for p, y in zip(ps, ys)) / len(ys)
        f1_tp = sum(1 for p, y in zip(ps, ys) if p >= 0.5 and y)
        f1_fp = sum(1 for p, y in zip(ps, ys) if p >= 0.5 and not y)
        f1_fn = sum(1 for p, y in zip(ps, ys) if p < 0.5 and y)
        f1 = 2 * f1_tp / max(1, 2 * f1_tp + f1_fp + f1_fn)
        single = " ".join("auc_%s_only=%.4f" % (n, auc([x[i] for x in xs], ys))
                          for i, n in enumerate(NAMES))
        print(f"{name}: n={len(ys)} auc={auc(zs, ys):.4f} {single} log_loss={loss:.4f} f1={f1:.3f}")
        print_curve(name, ps, ys)
    return 0


if __name__ == "__main__":
    sys.exit(main())
