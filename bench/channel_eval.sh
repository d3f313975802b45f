#!/usr/bin/env bash
# Measures a learned channel on held-out spinner substitutions.
#
# The real spinners' substitutions (../shared/data/real-substitutions-dev.tsv,
# read at run time, never copied) are split by story: stories whose SHA-1 has
# an even first byte form half A, the rest half B. Three sets of (original,
# spun) pairs are made the way bench/make_eval_sets.py makes real-dict.jsonl
# (its functions are imported):
#
#   channel-train.jsonl       A applied to corpus paragraphs 3000.. (up to 2000 pairs)
#   channel-same-spinner.jsonl A applied to the first paragraphs (300 pairs): new text,
#                             the dictionary the channel was learned from
#   channel-heldout.jsonl     B applied to the first paragraphs (300 pairs): other
#                             stories, substitutions the channel never saw
#
# `unspin channel learn` learns a table from the training pairs,
# `unspin model build --channel` builds build/eval/channel.unspin with it, and
# both the default model and that model are evaluated on the two test sets
# (`unspin eval`; metrics in docs/evaluation.md). The channel's own coverage of
# each test set's spinner spans is printed too: the share whose spun phrase is
# a key of the table, whose true original is among its candidates, and whose
# true original is the most probable candidate.
#
# usage: bench/channel_eval.sh
#   UNSPIN=path/to/unspin   the binary (default build/release/tools/unspin)
#   EVAL_DIR=dir            output directory (default build/eval)
#   THREADS=n               checker threads (default 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
unspin=${UNSPIN:-$root/build/release/tools/unspin}
out=${EVAL_DIR:-$root/build/eval}
threads=${THREADS:-2}
if [[ ! -x $unspin ]]; then
  echo "channel_eval: $unspin not found; build first (scripts/build release) or set UNSPIN=" >&2
  exit 1
fi
mkdir -p "$out"

python3 - "$root" "$out" <<'EOF'
import hashlib, os, random, re, sys
root, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, "bench"))
import make_eval_sets as m

shared = os.path.join(root, "../shared")
tsv = os.path.join(shared, "data/real-substitutions-dev.tsv")

def half_a(story):
    return hashlib.sha1(story.encode()).digest()[0] % 2 == 0

def spin_set(paragraphs, keep_story, count, seed):
    table, function_words = m.load_real_substitutions(tsv, keep_story)
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w'-])",
                         re.IGNORECASE)
    rng = random.Random(seed)
    pairs = []
    for paragraph in paragraphs:
        if len(pairs) == count:
            break
        spun = m.real_dictionary_spin(paragraph, table, function_words, pattern, rng)
        if spun != paragraph:
            pairs.append((paragraph, spun))
    return pairs, len(table)

stories = set()
with open(tsv, encoding="utf-8") as f:
    header = f.readline().rstrip("\n").split("\t")
    col = header.index("story")
    for line in f:
        fields = line.rstrip("\n").split("\t")
        if len(fields) == len(header):
            stories.add(fields[col])
a = sorted(s for s in stories if half_a(s))
b = sorted(s for s in stories if not half_a(s))
print(f"stories: A {len(a)} ({', '.join(a)}), B {len(b)} ({', '.join(b)})", file=sys.stderr)

paragraphs = m.sample_paragraphs(shared, 300, 1)
for name, keep, source, count in (
        ("channel-train", half_a, paragraphs[3000:], 2000),
        ("channel-same-spinner", half_a, paragraphs, 300),
        ("channel-heldout", lambda s: not half_a(s), paragraphs, 300)):
    pairs, originals = spin_set(source, keep, count, 1)
    m.write_pairs(os.path.join(out, name + ".jsonl"), name, pairs)
    print(f"{name}: {len(pairs)} pairs from {originals} original phrases", file=sys.stderr)
EOF

"$unspin" channel learn --pairs "$out/channel-train.jsonl" -o "$out/channel-table.tsv"
"$unspin" model build --channel "$out/channel-table.tsv" -o "$out/channel.unspin"

printf '%-22s %-8s %5s %7s %6s %9s %10s %10s %10s\n' set model pairs auc f1 err_red collateral \
  false_chg exact_rest
for set in channel-same-spinner channel-heldout; do
  for model in default channel; do
    model_flag=()
    [[ $model == channel ]] && model_flag=(--model "$out/channel.unspin")
    json=$("$unspin" eval --json --threads "$threads" "${model_flag[@]}" \
      --details "$out/$set.$model.details.jsonl" "$out/$set.jsonl")
    python3 - "$set" "$model" "$json" <<'EOF'
import json, sys
name, model, r = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
print(f"{name:<22} {model:<8} {r['pairs']:5d} {r['auc']:7.4f} {r['f1']:6.3f} "
      f"{r['error_reduction']:9.3f} {100 * r['collateral']:9.2f}% "
      f"{100 * r['false_changes']:9.2f}% {r['exact_restoration']:10.3f}")
EOF
  done
done

echo
echo "channel coverage of the spinner spans (table: $out/channel-table.tsv)"
python3 - "$out" <<'EOF'
import json, math, os, sys
out = sys.argv[1]
rows, totals = {}, {}
with open(os.path.join(out, "channel-table.tsv"), encoding="utf-8") as f:
    next(f)
    for line in f:
        original, spun, count = line.rstrip("\n").split("\t")
        totals[original] = totals.get(original, 0) + int(count)
        if original != spun:
            rows.setdefault(spun, []).append((original, int(count)))
def best(spun):
    return max(rows[spun], key=lambda oc: (oc[1] / totals[oc[0]], oc[1], oc[0]))[0]
print(f"{'set':<22} {'spans':>6} {'spun_known':>10} {'orig_in_cand':>12} {'top1':>7}")
for name in ("channel-same-spinner", "channel-heldout"):
    spans = known = found = top1 = 0
    with open(os.path.join(out, f"{name}.channel.details.jsonl"), encoding="utf-8") as f:
        for line in f:
            for span in json.loads(line)["spinner_spans"]:
                if not span["original"] or not span["spun"]:
                    continue  # insertions and deletions: looked up with an anchor word
                spans += 1
                candidates = rows.get(span["spun"])
                if candidates is None:
                    continue
                known += 1
                if any(o == span["original"] for o, _ in candidates):
                    found += 1
                    top1 += best(span["spun"]) == span["original"]
    share = lambda n: f"{100 * n / spans:.1f}%" if spans else "-"
    print(f"{name:<22} {spans:6d} {share(known):>10} {share(found):>12} {share(top1):>7}")
EOF
