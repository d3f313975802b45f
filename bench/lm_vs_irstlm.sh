#!/bin/sh
# Issue #3's language-model comparison, rerunnable: unspin lm build vs IRSTLM
# (Debian package irstlm) on the same split and the same tokens, order 4.
#
#   bench/lm_vs_irstlm.sh [UNSPIN_BINARY] [CORPORA_DIR]
#
# Train: bodies of Reuters-21578 reut2-000..017 + all presidential speeches;
# test: bodies of reut2-018..021 (bench/lm_corpus.py). IRSTLM is trained on
# `unspin lm tokenize` output, so both see identical tokens; both models are
# then scored by `unspin lm score` (IRSTLM's ARPA through `unspin lm convert`),
# and IRSTLM's own test perplexity is printed too. Train time and peak RSS
# come from /usr/bin/time -v. Corpora stay outside the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
unspin=${1:-$here/../build/release/tools/unspin}
corpora=${2:-$here/../../shared/corpora}
tlm=/usr/lib/irstlm/bin/tlm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/lm_corpus.py" "$corpora" "$work"
"$unspin" lm tokenize "$work/train.jsonl" > "$work/train.txt"
"$unspin" lm tokenize "$work/test.jsonl" > "$work/test.txt"

measure() {  # name, command...: runs it under /usr/bin/time -v, prints seconds and MB
  name=$1; shift
  /usr/bin/time -v "$@" > "$work/$name.out" 2> "$work/$name.time"
  awk -F': ' '/Elapsed/ {split($2, t, ":"); s = t[1] * 60 + t[2]}
              /Maximum resident/ {m = $2 / 1024}
              END {printf "%.1f s\t%.0f MB", s, m}' "$work/$name.time"
}
score() {  # lm file: perplexity with and without OOVs, tokens/s
  "$unspin" lm score --lm "$1" "$work/test.jsonl" |
    awk -F'\t' '{v[$1] = $2} END {printf "%s\t%s\t%s", v["perplexity"],
                v["perplexity_excluding_oov"], v["tokens_per_second"]}'
}
ngrams() {  # ARPA file: total n-grams
  awk '/^ngram/ {sub(/.*=[ ]*/, ""); n += $0} /^\\1-grams/ {exit} END {print n}' "$1"
}

printf 'model\ttrain time\tpeak RSS\tn-grams\tfile\tppl (unspin score)\tppl w/o OOV\ttokens/s\tppl (own tool)\n'
row=$(measure full "$unspin" lm build --order 4 -o "$work/full.lm" --arpa "$work/full.arpa" \
  "$work/train.jsonl")
printf 'unspin lm build -o 4 (+ARPA)\t%s\t%s\t%s\t%s\t-\n' "$row" "$(ngrams "$work/full.arpa")" \
  "$(du -h "$work/full.lm" | cut -f1)" "$(score "$work/full.lm")"
row=$(measure full_noarpa "$unspin" lm build --order 4 -o "$work/full.lm" "$work/train.jsonl")
printf 'unspin lm build -o 4\t%s\t-\t%s\t%s\t-\n' "$row" \
  "$(du -h "$work/full.lm" | cut -f1)" "$(score "$work/full.lm")"
row=$(measure pruned "$unspin" lm build --order 4 --prune -o "$work/pruned.lm" \
  --arpa "$work/pruned.arpa" "$work/train.jsonl")
printf 'unspin lm build -o 4 --prune (+ARPA)\t%s\t%s\t%s\t%s\t-\n' "$row" \
  "$(ngrams "$work/pruned.arpa")" "$(du -h "$work/pruned.lm" | cut -f1)" \
  "$(score "$work/pruned.lm")"

if [ -x "$tlm" ]; then
  /usr/lib/irstlm/bin/add-start-end.sh < "$work/train.txt" > "$work/train.se.txt"
  /usr/lib/irstlm/bin/add-start-end.sh < "$work/test.txt" > "$work/test.se.txt"
  row=$(measure irstlm "$tlm" -tr="$work/train.se.txt" -n=4 -lm=ikn -o="$work/irst.arpa" \
    -te="$work/test.se.txt")
  own=$(sed -n 's/.*PP=\([0-9.]*\).*/\1/p' "$work/irstlm.out" | tail -1)
  "$unspin" lm convert "$work/irst.arpa" -o "$work/irst.lm" 2> /dev/null
  printf 'IRSTLM tlm -lm=ikn -n=4\t%s\t%s\t%s\t%s\t%s\n' "$row" "$(ngrams "$work/irst.arpa")" \
    "$(du -h "$work/irst.lm" | cut -f1)" "$(score "$work/irst.lm")" "$own"
else
  echo "IRSTLM not installed (apt-get install irstlm): skipped" >&2
fi
