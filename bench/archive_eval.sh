#!/usr/bin/env bash
# What a newsroom gains by teaching unspin its archive and its spinner.
#
# 1. Archive LM: `unspin lm build --order 4` on the Reuters-21578 bodies of
#    reut2-000..017 and all presidential speeches (bench/lm_corpus.py), minus
#    every document that contains a paragraph of the evaluation sets, so no
#    test text is in the model.
# 2. Learned channel: `unspin channel learn` on 600 more real-dictionary pairs
#    made from other paragraphs (bench/make_eval_sets.py --seed 2), with every
#    test paragraph removed.
# 3. Calibrated verdicts: `unspin model calibrate` of the mixed models on the
#    channel's 600 training pairs (the newsroom's own pairs, no test text).
# 4. `unspin eval` of eight models on the standard sets (build/eval, made by
#    bench/eval_check.sh): default, +LM (replacing the speech LM), +mix (the
#    archive LM mixed with the speech LM, weight 0.8), +channel, +LM and
#    channel, +mix and channel, and the two mixed ones calibrated (+cal).
#
# usage: bench/archive_eval.sh [--change-cost X]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
unspin=${UNSPIN:-$root/build/release/tools/unspin}
shared=${SHARED:-$root/../shared}
eval_dir=${EVAL_DIR:-$root/build/eval}
work=${WORK_DIR:-$root/build/archive-eval}
mkdir -p "$work"
[[ -f $eval_dir/real-dict.jsonl ]] || "$root/bench/eval_check.sh" >/dev/null

python3 "$root/bench/lm_corpus.py" "$shared/corpora" "$work/lm" >/dev/null
python3 - "$eval_dir" "$work" <<'PY'
import json, re, sys
eval_dir, work = sys.argv[1], sys.argv[2]
norm = lambda t: re.sub(r"\s+", " ", t).strip()
test = [norm(json.loads(l)["original"]) for l in open(f"{eval_dir}/real-dict.jsonl", encoding="utf-8")]
keys = [p[:60] for p in test]
kept = dropped = 0
with open(f"{work}/lm-train.jsonl", "w", encoding="utf-8") as out:
    for line in open(f"{work}/lm/train.jsonl", encoding="utf-8"):
        if any(k in norm(json.loads(line)["text"]) for k in keys):
            dropped += 1
            continue
        out.write(line)
        kept += 1
print(f"archive LM: {kept} documents, {dropped} held out (they hold test paragraphs)", file=sys.stderr)
PY
"$unspin" lm build --order 4 -o "$work/archive.lm" "$work/lm-train.jsonl" 2>/dev/null

python3 "$root/bench/make_eval_sets.py" --unspin "$unspin" --out "$work/pairs" --seed 2 \
  --paragraphs 900 --styles thesaurus --shared "$shared" >/dev/null
python3 - "$eval_dir" "$work" <<'PY'
import json, sys
eval_dir, work = sys.argv[1], sys.argv[2]
test = {json.loads(l)["original"] for l in open(f"{eval_dir}/real-dict.jsonl", encoding="utf-8")}
n = 0
with open(f"{work}/channel-train.jsonl", "w", encoding="utf-8") as out:
    for line in open(f"{work}/pairs/real-dict.jsonl", encoding="utf-8"):
        if json.loads(line)["original"] in test or n >= 600:
            continue
        out.write(line)
        n += 1
print(f"channel: {n} training pairs", file=sys.stderr)
PY
"$unspin" channel learn --pairs "$work/channel-train.jsonl" -o "$work/channel.tsv" >/dev/null

"$unspin" model build -o "$work/default.unspin" 2>/dev/null
"$unspin" model build --lm "$work/archive.lm" --lm-weight 1 -o "$work/lm.unspin" 2>/dev/null
"$unspin" model build --channel "$work/channel.tsv" -o "$work/channel.unspin" 2>/dev/null
"$unspin" model build --lm "$work/archive.lm" --lm-weight 1 --channel "$work/channel.tsv" \
  -o "$work/both.unspin" 2>/dev/null
"$unspin" model build --lm "$work/archive.lm" --lm-weight 0.8 -o "$work/mix.unspin" 2>/dev/null
"$unspin" model build --lm "$work/archive.lm" --lm-weight 0.8 --channel "$work/channel.tsv" \
  -o "$work/mix+channel.unspin" 2>/dev/null
for model in mix mix+channel; do
  "$unspin" model calibrate --pairs "$work/channel-train.jsonl" --model "$work/$model.unspin" \
    -o "$work/$model+cal.unspin" >/dev/null 2>&1
done

printf '%-15s %-14s %7s %6s %8s %10s %10s %10s\n' model set auc f1 err_red collateral \
  false_chg exact_rest
for model in default lm mix channel both mix+channel mix+cal mix+channel+cal; do
  for set in real-dict sim-phrase sim-thesaurus sim-sparse; do
    [[ -f $eval_dir/$set.jsonl ]] || continue
    "$unspin" eval --model "$work/$model.unspin" --json "$@" "$eval_dir/$set.jsonl" |
      jq -r --arg m "$model" --arg s "$set" \
        '"\($m)\t\($s)\t\(.auc)\t\(.f1)\t\(.error_reduction)\t\(.collateral)\t\(.false_changes)\t\(.exact_restoration)"' |
      awk -F'\t' '{printf "%-15s %-14s %7.4f %6.3f %8.3f %9.2f%% %9.2f%% %10.3f\n", $1, $2, $3, $4, $5, 100*$6, 100*$7, $8}'
  done
done
