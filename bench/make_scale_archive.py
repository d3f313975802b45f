#!/usr/bin/env python3
"""Generates a large synthetic archive for issue #5's scale test (bench/find_scale.sh)
by recombining corpus sentences, plus spun whole-document queries drawn from it.
Python 3 standard library only.

The sentence pool is every sentence of the archive bench/make_find_sets.py builds
(Reuters-21578 bodies of 80+ words and the presidential speeches, exact
duplicates dropped), split at . ! ? followed by a space and a capital or quote,
kept when it has 5-80 words; the pool is deduplicated and sorted. Document i
of --docs is PARAGRAPHS_MIN..PARAGRAPHS_MAX paragraphs of SENTENCES_MIN..
SENTENCES_MAX sentences each, drawn uniformly with replacement from the pool
by one seeded generator, so no two documents share a paragraph but every
sentence appears in many documents (~docs x 12 / pool size): sentence-level
overlap between documents is the norm, as with boilerplate, while each whole
document is unique. The text is not coherent prose; it has corpus statistics
at the sentence level.

Writes into --out, streaming:
  docs.jsonl               {"id": "gen-NNNNNNN", "text": str}, paragraphs joined by blank lines
  queries-spun.jsonl       --queries documents (seeded sample), spun whole like
                           make_find_sets.py's queries-spun (same styles, rates)
  queries-spun.truth.tsv   query id, source doc id, style, word-change rate
  stats.json               counts, bytes, pool size, spin rates

usage: bench/make_scale_archive.py --unspin BIN --out DIR [--docs 1000000] [--queries 200]
       [--seed 1] [--shared ../shared] [--styles thesaurus:0.8,phrase:0.48]
"""
import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_find_sets  # noqa: E402

PARAGRAPHS_MIN, PARAGRAPHS_MAX = 2, 5
SENTENCES_MIN, SENTENCES_MAX = 2, 5
SENTENCE_MIN_WORDS, SENTENCE_MAX_WORDS = 5, 80
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unspin", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../shared"))
    parser.add_argument("--styles", default="thesaurus:0.8,phrase:0.48")
    args = parser.parse_args()
    styles = [(s.split(":")[0], float(s.split(":")[1])) for s in args.styles.split(",")]
    os.makedirs(args.out, exist_ok=True)

    docs, _, _ = make_find_sets.load_corpora(args.shared)
    pool = set()
    for _, paragraphs in docs:
        for paragraph in paragraphs:
            for sentence in SENTENCE_END.split(paragraph):
                if SENTENCE_MIN_WORDS <= len(sentence.split()) <= SENTENCE_MAX_WORDS:
                    pool.add(sentence)
    pool = sorted(pool)
    del docs
    print(f"make_scale_archive: {len(pool)} sentences in the pool", file=sys.stderr)

    rng = random.Random(args.seed)
    wanted = set(random.Random(args.seed + 1).sample(range(args.docs), args.queries))
    picked = {}
    text_bytes = words = 0
    with open(os.path.join(args.out, "docs.jsonl"), "w", encoding="utf-8") as f:
        for i in range(args.docs):
            paragraphs = [
                " ".join(rng.choice(pool) for _ in range(rng.randint(SENTENCES_MIN, SENTENCES_MAX)))
                for _ in range(rng.randint(PARAGRAPHS_MIN, PARAGRAPHS_MAX))
            ]
            doc_id = f"gen-{i:07d}"
            text = "\n\n".join(paragraphs)
            f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
            text_bytes += len(text.encode("utf-8"))
            words += make_find_sets.word_count(paragraphs)
            if i in wanted:
                picked[i] = (doc_id, paragraphs)
            if (i + 1) % 100_000 == 0:
                print(f"make_scale_archive: {i + 1} documents", file=sys.stderr)

    queries = [(f"scale-{n:03d}", picked[i][0], picked[i][1]) for n, i in enumerate(sorted(wanted))]
    spun = make_find_sets.spin(args.unspin, args.shared, queries, styles, args.seed)
    stats = {"docs": args.docs, "text_bytes": text_bytes,
             "words_mean": round(words / args.docs, 1), "sentence_pool": len(pool),
             "seed": args.seed, "styles": {s: r for s, r in styles},
             "spun": make_find_sets.write_set(args.out, "spun", spun)}
    with open(os.path.join(args.out, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
