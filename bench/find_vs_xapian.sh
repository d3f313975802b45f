#!/usr/bin/env bash
# Issue #5's source-finding comparison, rerunnable: `unspin find` vs Xapian BM25
# (Debian libxapian-dev, bench/xapian_peer.cc) on the same archive and queries,
# side by side in one run; prints one markdown table.
#
# usage: bench/find_vs_xapian.sh [--rebuild]
#   BUILD=dir        build tree with tools/unspin and bench/xapian_peer
#                    (default build/bench: scripts/build bench)
#   UNSPIN=bin       unspin binary (default $BUILD/tools/unspin)
#   XAPIAN_PEER=bin  peer binary (default $BUILD/bench/xapian_peer)
#   SETS_DIR=dir     archive + query sets (default build/find-sets; built when
#                    missing, rebuilt with --rebuild) by bench/make_find_sets.py
#   SAMPLE=n         queries per set timed one `unspin find` process each (default 50)
#   KEEP=dir         keep indexes and per-query results here instead of a temp dir
#
# The archive is Reuters-21578 bodies of 80+ words, the presidential speeches
# and the Brown Corpus (bench/make_find_sets.py: 12,031 documents after
# duplicates); the query sets are 300 whole documents, 200 two-paragraph
# excerpts and 200 excerpts of 40-80 words of 1,000+ word documents, 300
# paragraphs of 60-200 words, and 200 unrelated texts of 150+ and 200 of 60+
# words, all spun by `unspin simulate` (thesaurus and phrase styles, and the real
# spinners' dictionaries for the paragraphs; 25-31% of words changed).
# Excerpt sets also report how the source span find prints ("span") overlaps
# the excerpt's place in its source.
#
# What is measured:
#   index: wall time and peak RSS of the build process (/usr/bin/time -v),
#          bytes of the index directory (du -sb) per document;
#   query: Xapian p50/p95 are timed inside the program per query (term
#          generation + query construction + get_mset, database open once).
#          unspin p50/p95 come from the JSONL field "ms" when `unspin find`
#          prints one per line; otherwise from SAMPLE queries per set, each run
#          as its own `unspin find` process (so they include process start and
#          opening the index) and marked "per process"; then also net of the
#          startup: minus a one-word query's process run just before each one.
#          "batch ms/query" is
#          the wall time of one process over the whole set (open, queries,
#          output) divided by its queries, for both.
#   Xapian's query is the OR of every term TermGenerator makes of the query
#          text (unstemmed and Z-stemmed, wqf = wdf): the best recall of the
#          ways tried. One extra row per set gives `--terms stems` (the stems
#          plus unstemmed capitalised words, as QueryParser would search),
#          about twice as fast with the same recall on whole documents.
#   recall@1/@10: the source document is the first / among the first 10
#          matches. unspin lists only matches above its match threshold; for
#          Xapian there is no threshold, so the unrelated rows give its top
#          scores next to the lowest top score of a spun query it got right.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/bench}
unspin=${UNSPIN:-$build/tools/unspin}
peer=${XAPIAN_PEER:-$build/bench/xapian_peer}
sets=${SETS_DIR:-$root/build/find-sets}
sample=${SAMPLE:-50}
rebuild=0
[[ ${1:-} == --rebuild ]] && rebuild=1

for bin in "$unspin" "$peer"; do
  if [[ ! -x $bin ]]; then
    echo "find_vs_xapian: $bin not found; scripts/build bench (needs libxapian-dev), or set" \
      "BUILD=, UNSPIN=, XAPIAN_PEER=" >&2
    exit 1
  fi
done
if [[ ! -x /usr/bin/time ]]; then
  echo "find_vs_xapian: /usr/bin/time not found (scripts/setup installs package time)" >&2
  exit 1
fi
if [[ $rebuild == 1 || ! -f $sets/stats.json ]]; then
  python3 "$root/bench/make_find_sets.py" --unspin "$unspin" --out "$sets" \
    --shared "$root/../shared"
fi
if [[ -n ${KEEP:-} ]]; then
  work=$KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
set_names=(spun excerpt paragraph short-excerpt unrelated unrelated-short)

timed() {  # name, command...: stdout to $work/name.out, /usr/bin/time -v to $work/name.time
  local name=$1
  shift
  # Each run starts with no other run's data still being written back (the
  # Xapian database is written just before unspin's index is built).
  sync
  if ! /usr/bin/time -v "$@" > "$work/$name.out" 2> "$work/$name.time"; then
    echo "find_vs_xapian: failed: $*" >&2
    tail -5 "$work/$name.time" >&2
    return 1
  fi
}

echo "find_vs_xapian: Xapian" >&2
rm -rf "$work/xapian.db"
timed xapian-index "$peer" index --db "$work/xapian.db" "$sets/docs.jsonl"
for set in "${set_names[@]}"; do
  timed "xapian-$set" "$peer" query --db "$work/xapian.db" -k 10 \
    --truth "$sets/queries-$set.truth.tsv" --out "$work/xapian-$set.jsonl" \
    "$sets/queries-$set.jsonl"
  timed "xapian-stems-$set" "$peer" query --db "$work/xapian.db" -k 10 --terms stems \
    --truth "$sets/queries-$set.truth.tsv" "$sets/queries-$set.jsonl"
done

echo "find_vs_xapian: unspin" >&2
unspin_ok=1
rm -rf "$work/unspin.idx"
if timed unspin-index "$unspin" index build --out "$work/unspin.idx" "$sets/docs.jsonl"; then
  "$unspin" index info "$work/unspin.idx" > "$work/unspin-info.out" 2>&1 || true
  for set in "${set_names[@]}"; do
    # find exits 1 when no query matched (as grep does): not a failure here.
    timed "unspin-$set" bash -c '"$@" || [[ $? == 1 ]]' find "$unspin" find --index \
      "$work/unspin.idx" --jsonl --timing -k 10 "$sets/queries-$set.jsonl" || unspin_ok=0
    cp "$work/unspin-$set.out" "$work/unspin-$set.jsonl" 2> /dev/null || true
  done
else
  unspin_ok=0
fi

PYTHONPATH="$root/bench" python3 - "$work" "$sets" "$unspin" "$sample" "$unspin_ok" <<'EOF'
import find_report
from find_report import dir_bytes, per_process_label, percentile, read_jsonl
import json, os, re, subprocess, sys, tempfile, time

work, sets, unspin, sample, unspin_ok = sys.argv[1:6]
sample, unspin_ok = int(sample), unspin_ok == "1"
names = ["spun", "excerpt", "paragraph", "short-excerpt", "unrelated", "unrelated-short"]


def cpu_seconds(name):
    return find_report.cpu_seconds(work, name)


def gnu_time(name):
    return find_report.gnu_time(work, name)


def per_process_ms(index, qs):
    return find_report.per_process_ms(unspin, index, qs)


def key_values(name):
    out = {}
    for line in open(os.path.join(work, name + ".out")):
        key, _, value = line.rstrip("\n").partition("\t")
        out[key] = value
    return out


truth, style_of, span_of = {}, {}, {}
for name in names:
    for line in open(os.path.join(sets, f"queries-{name}.truth.tsv"), encoding="utf-8"):
        fields = line.rstrip("\n").split("\t")
        truth[fields[0]], style_of[fields[0]] = fields[1], fields[2]
        if len(fields) >= 6:
            span_of[fields[0]] = (int(fields[4]), int(fields[5]))
queries = {name: read_jsonl(os.path.join(sets, f"queries-{name}.jsonl")) for name in names}
docs = sum(1 for _ in open(os.path.join(sets, "docs.jsonl"), encoding="utf-8"))
stats = json.load(open(os.path.join(sets, "stats.json")))


def judge(results, name):
    """recall@1, recall@10, wrong top matches, queries with any match, top scores."""
    by_query = {r["query"]: r.get("matches", []) for r in results}
    at1 = at10 = wrong = any_match = 0
    tops, right_tops = [], []
    for q in queries[name]:
        matches = by_query.get(q["id"], [])
        ids = [m["id"] for m in matches]
        source = truth[q["id"]]
        if matches:
            any_match += 1
            tops.append(matches[0]["score"])
        if source:
            at1 += bool(ids) and ids[0] == source
            at10 += source in ids[:10]
            if ids and ids[0] != source:
                wrong += 1
            if ids and ids[0] == source:
                right_tops.append(matches[0]["score"])
    n = len(queries[name])
    return {"at1": at1 / n, "at10": at10 / n, "wrong": wrong, "any": any_match, "n": n,
            "tops": tops, "right_tops": right_tops, "by_query": by_query}


def recall_by_style(result, name):
    """style: recall@1 / @10, for a set spun with more than one style."""
    cells = {}
    for q in queries[name]:
        ids = [m["id"] for m in result["by_query"].get(q["id"], [])]
        cell = cells.setdefault(style_of[q["id"]], [0, 0, 0])
        cell[0] += bool(ids) and ids[0] == truth[q["id"]]
        cell[1] += truth[q["id"]] in ids[:10]
        cell[2] += 1
    return ", ".join(f"{style} {a / n:.3f} / {b / n:.3f}" for style, (a, b, n) in sorted(cells.items()))


def span_overlap(result, name):
    """For each query whose first match is right: the overlap (intersection over union) of the
    source span find reports with the excerpt's true span."""
    overlaps = []
    for q in queries[name]:
        matches = result["by_query"].get(q["id"], [])
        if not matches or matches[0]["id"] != truth[q["id"]] or q["id"] not in span_of:
            continue
        begin, end = matches[0]["span"]["source"]
        true_begin, true_end = span_of[q["id"]]
        inter = max(0, min(end, true_end) - max(begin, true_begin))
        overlaps.append(inter / (max(end, true_end) - min(begin, true_begin)))
    return overlaps


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def ratio(x, u, higher_is_better):
    if x is None or u is None or x == 0 or u == 0:
        return ""
    r = u / x if higher_is_better else x / u
    return f"{r:.1f}x"


rows = []  # (metric, xapian, unspin, unspin vs xapian)

x_seconds, x_rss = gnu_time("xapian-index")
x_index = key_values("xapian-index")
x_bytes = dir_bytes(os.path.join(work, "xapian.db"))
u_seconds = u_rss = u_bytes = None
if os.path.isdir(os.path.join(work, "unspin.idx")):
    u_seconds, u_rss = gnu_time("unspin-index")
    u_bytes = dir_bytes(os.path.join(work, "unspin.idx"))
rows.append(("docs indexed", f"{int(x_index['docs']):,}", f"{docs:,}" if u_bytes else "-", ""))
rows.append(("index time (s, wall)", fmt(x_seconds), fmt(u_seconds), ratio(x_seconds, u_seconds, False)))
x_rate = docs / x_seconds
u_rate = docs / u_seconds if u_seconds else None
rows.append(("index docs/s", fmt(x_rate, 0), fmt(u_rate, 0), ratio(x_rate, u_rate, True)))
rows.append(("index bytes/doc", fmt(x_bytes / docs, 0), fmt(u_bytes / docs if u_bytes else None, 0),
             ratio(x_bytes / docs, u_bytes / docs if u_bytes else None, False)))
x_cpu, u_cpu = cpu_seconds("xapian-index"), cpu_seconds("unspin-index")
rows.append(("index CPU time (s, user + sys)", fmt(x_cpu), fmt(u_cpu), ratio(x_cpu, u_cpu, False)))
rows.append(("index peak RSS (MB)", fmt(x_rss, 0), fmt(u_rss, 0), ""))


def unspin_latencies(name, results):
    """(p50, p95, cell) for unspin on one set: its own "ms" fields, else per process (the
    p50 and p95 returned, which the ratio column uses, are then net of startup)."""
    if results and all("ms" in r for r in results):
        ms = [r["ms"] for r in results]
        p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
        return p50, p95, f"{p50:.1f} / {p95:.1f}"
    whole, net = per_process_ms(os.path.join(work, "unspin.idx"), queries[name][:sample])
    return percentile(net, 0.5), percentile(net, 0.95), per_process_label(whole, net)


x_spun_right_min = None
for name in names:
    x_kv = key_values(f"xapian-{name}")
    x = judge(read_jsonl(os.path.join(work, f"xapian-{name}.jsonl")), name)
    x_query_rss = gnu_time(f"xapian-{name}")[1]
    u = None
    u_path = os.path.join(work, f"unspin-{name}.jsonl")
    if unspin_ok and os.path.exists(u_path):
        u_results = read_jsonl(u_path)
        u = judge(u_results, name)
        u_batch, u_query_rss = gnu_time(f"unspin-{name}")
        u_p50, u_p95, label = unspin_latencies(name, u_results)
    n = x["n"]
    words = stats[name]["words_mean"]
    spin = stats[name]["rate_mean"]
    head = f"{name} ({n} queries, {words:.0f} words, {100 * spin:.1f}% spun)"
    if not name.startswith("unrelated"):
        rows.append((f"{head}: recall@1", fmt(x["at1"], 3), fmt(u["at1"], 3) if u else "-", ""))
        rows.append((f"{name}: recall@10", fmt(x["at10"], 3), fmt(u["at10"], 3) if u else "-", ""))
        rows.append((f"{name}: wrong top match (unspin: above threshold)", str(x["wrong"]),
                     str(u["wrong"]) if u else "-", ""))
        if name == "spun":
            x_spun_right_min = min(x["right_tops"]) if x["right_tops"] else None
        if len(set(style_of[q["id"]] for q in queries[name])) > 1:
            rows.append((f"{name}: recall@1 / @10 by style", recall_by_style(x, name),
                         recall_by_style(u, name) if u else "-", ""))
        if u and any(q["id"] in span_of for q in queries[name]):
            overlaps = sorted(span_overlap(u, name))
            if overlaps:
                good = sum(o >= 0.8 for o in overlaps)
                rows.append((f"{name}: reported source span vs the excerpt's (right matches): "
                             "overlap p10 / p50, share >= 0.8", "-",
                             f"{percentile(overlaps, 0.1):.2f} / {percentile(overlaps, 0.5):.2f}, "
                             f"{good / len(overlaps):.3f}", ""))
    else:
        rows.append((f"{head}: queries with a match above threshold", "no threshold",
                     f"{u['any']} of {n}" if u else "-", ""))
        rows.append((f"{name}: Xapian top score p50 / max (spun, right: min)",
                     f"{float(x_kv['top_score_p50']):.0f} / {float(x_kv['top_score_max']):.0f} "
                     f"({x_spun_right_min:.0f})" if x_spun_right_min else "-",
                     f"max {max(u['tops']):.3f}" if u and u["tops"] else "-", ""))
    x_p50, x_p95 = float(x_kv["p50_ms"]), float(x_kv["p95_ms"])
    x_batch = gnu_time(f"xapian-{name}")[0] * 1000 / n
    rows.append((f"{name}: query p50 / p95 ms (ratio: p95)", f"{x_p50:.1f} / {x_p95:.1f}",
                 label if u else "-",
                 ratio(x_p95, u_p95, False) if u else ""))
    rows.append((f"{name}: batch ms/query (process wall / queries)", f"{x_batch:.2f}",
                 f"{1000 * u_batch / n:.2f}" if u else "-",
                 ratio(x_batch, 1000 * u_batch / n, False) if u else ""))
    stems = key_values(f"xapian-stems-{name}")
    rows.append((f"{name}: Xapian, stems-only query: " +
                 ("recall@1, " if not name.startswith("unrelated") else "") + "p50 / p95 ms",
                 (f"{float(stems['recall_at_1']):.3f}, " if not name.startswith("unrelated")
                  else "") +
                 f"{float(stems['p50_ms']):.1f} / {float(stems['p95_ms']):.1f}", "", ""))
    rows.append((f"{name}: query peak RSS (MB)", fmt(x_query_rss, 0),
                 fmt(u_query_rss, 0) if u else "-", ""))

print("| metric | Xapian BM25 | unspin | unspin vs Xapian |")
print("|---|---:|---:|---:|")
for row in rows:
    print("| " + " | ".join(row) + " |")
if not unspin_ok:
    print("\n(unspin index build / find failed or is missing: see the log above; Xapian only)")
EOF
