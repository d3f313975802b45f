#!/usr/bin/env python3
"""Per-group figures of a checker on bench/make_genre_sets.py's pairs, in one run.

Runs COMMAND (anything that speaks `check --json --lines -`, e.g. build/release/tools/unspin
or the naive peer) once per pairs file on every original and spun text, and prints for each
file and group: pairs, ROC AUC of spun_probability, originals called spun (p >= 0.5), spun
texts caught, expected calibration error (10 bins, on the half-spun mix the pairs make),
error reduction (word edits to the original before and after restoring), false changes
(words of originals changed) and spans on originals called spun with no span (should be 0).

usage: bench/genre_report.py [--check-args "FLAGS"] [--json OUT] COMMAND PAIRS.jsonl...
"""
import argparse
import difflib
import json
import re
import shlex
import subprocess
import sys

WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")


def tokens(text):
    return [t.lower() for t in WORD.findall(text)]


def edit_count(a, b):
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes()
               if op != "equal")


def roc_auc(negatives, positives):
    ranked = sorted([(v, 0) for v in negatives] + [(v, 1) for v in positives])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += sum(label for _, label in ranked[i:j]) * (i + j + 1) / 2
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / max(1, n_pos * n_neg)


def calibration_error(predictions, labels, bins=10):
    total, n = 0.0, len(predictions)
    for b in range(bins):
        members = [i for i, p in enumerate(predictions)
                   if b / bins <= p < (b + 1) / bins or (b == bins - 1 and p == 1.0)]
        if members:
            mean_p = sum(predictions[i] for i in members) / len(members)
            share = sum(labels[i] for i in members) / len(members)
            total += len(members) / n * abs(mean_p - share)
    return total


def check(command, extra, texts):
    run = subprocess.run(shlex.split(command) + ["check", *shlex.split(extra), "--json",
                                                 "--lines", "-"],
                         input="".join(" ".join(t.split()) + "\n" for t in texts),
                         capture_output=True, text=True)
    results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    if len(results) != len(texts):
        sys.exit(f"genre_report: {command} gave {len(results)} results for {len(texts)} texts "
                 f"(exit {run.returncode}): {run.stderr[-400:]}")
    return results


def figures(rows):
    originals = [r for r in rows]
    p_orig = [r["orig"]["spun_probability"] for r in originals]
    p_spun = [r["spun"]["spun_probability"] for r in rows]
    before = after = changed_orig = orig_words = 0
    for r in rows:
        o = tokens(r["original"])
        before += edit_count(tokens(r["spun_text"]), o)
        after += edit_count(tokens(r["spun"]["restored"]), o)
        changed_orig += edit_count(tokens(r["orig"]["restored"]), o)
        orig_words += len(o)
    labels = [0] * len(p_orig) + [1] * len(p_spun)
    return {
        "pairs": len(rows),
        "auc": roc_auc(p_orig, p_spun),
        "false_alarms": sum(p >= 0.5 for p in p_orig) / max(1, len(p_orig)),
        "caught": sum(p >= 0.5 for p in p_spun) / max(1, len(p_spun)),
        "ece": calibration_error(p_orig + p_spun, labels),
        "error_reduction": (before - after) / max(1, before),
        "false_changes": changed_orig / max(1, orig_words),
        "spun_without_span": sum(1 for r in rows for side in ("orig", "spun")
                                 if r[side]["spun_probability"] >= 0.5 and not r[side]["spans"]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--check-args", default="")
    ap.add_argument("--json", help="write every figure here too")
    ap.add_argument("command")
    ap.add_argument("pairs", nargs="+")
    args = ap.parse_args()
    report = {}
    pooled_p, pooled_y = [], []
    print(f"{'set':<22} {'group':<18} {'pairs':>5} {'AUC':>6} {'FA@.5':>6} {'caught':>6} "
          f"{'ECE':>6} {'ER':>6} {'falseCh':>7} {'noSpan':>6}")
    for path in args.pairs:
        with open(path, encoding="utf-8") as f:
            pairs = [json.loads(line) for line in f if line.strip()]
        results = check(args.command, args.check_args,
                        [p["original"] for p in pairs] + [p["spun"] for p in pairs])
        rows = []
        for i, pair in enumerate(pairs):
            rows.append({"group": pair.get("group", "all"), "original": pair["original"],
                         "spun_text": pair["spun"], "orig": results[i],
                         "spun": results[len(pairs) + i]})
        name = re.sub(r"\.jsonl$", "", path.split("/")[-1])
        pooled_p += [r[side]["spun_probability"] for side in ("orig", "spun") for r in rows]
        pooled_y += [label for label in (0, 1) for _ in rows]
        groups = sorted({r["group"] for r in rows})
        for group in groups + ["ALL"]:
            members = [r for r in rows if group == "ALL" or r["group"] == group]
            fig = figures(members)
            report.setdefault(name, {})[group] = fig
            print(f"{name:<22} {group:<18} {fig['pairs']:>5} {fig['auc']:>6.3f} "
                  f"{fig['false_alarms']:>6.3f} {fig['caught']:>6.3f} {fig['ece']:>6.3f} "
                  f"{fig['error_reduction']:>6.3f} {fig['false_changes']:>7.4f} "
                  f"{fig['spun_without_span']:>6}")
    if len(args.pairs) > 1:
        # Every file is a half-spun mix of one style; together, a half-spun mix of them all.
        report["pooled_ece"] = calibration_error(pooled_p, pooled_y)
        print(f"ECE of every file's pairs pooled (a half-spun mix of every style): "
              f"{report['pooled_ece']:.3f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
