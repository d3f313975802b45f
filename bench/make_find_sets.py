#!/usr/bin/env python3
"""Builds the archive and the query sets of issue #5 (source finding), for
bench/find_vs_xapian.sh. Python 3 standard library only.

From ../shared/corpora it writes into --out:

  docs.jsonl               the archive: every Reuters-21578 body of MIN_DOC_WORDS+
                           words ("reuters-<NEWID>") and every presidential speech
                           ("speech-<file name>"); paragraphs joined by blank lines.
                           Exact duplicates (same words) are kept once, first id wins.
  queries-spun.jsonl       --spun documents of the archive (seeded sample), spun whole
  queries-excerpt.jsonl    --excerpts two-paragraph excerpts of archive documents of
                           EXCERPT_DOC_MIN_WORDS+ words, spun the same way
  queries-unrelated.jsonl  --unrelated texts that are not in the archive: Reuters
                           bodies of UNRELATED_MIN_BODY_WORDS..MIN_DOC_WORDS-1 words
                           (so never indexed) that share no word NGRAM-gram with any
                           archive document, joined until UNRELATED_MIN_WORDS words,
                           spun the same way
  <set>.truth.tsv          query id, source doc id (empty for unrelated), style,
                           measured word-change rate
  stats.json               counts and measured spin rates

Every query line is {"id": str, "text": str}. Spinning uses the project's own
spinner, `unspin simulate --lines`, one paragraph per line (so paragraph breaks
survive), rotating through --styles (style:rate pairs; query i gets style
i mod n). The word-change rate of a query is the word-level edit distance
(Levenshtein over whitespace tokens: substitutions, insertions, deletions)
between original and spun text, divided by the original's word count; it is
computed per paragraph on the difflib alignment, exact Levenshtein inside
each differing block. The default rates put every style at 25-30%.

Deterministic: the same corpora, seed and unspin model give the same bytes.

usage: bench/make_find_sets.py --unspin BIN --out DIR [--shared ../shared] [--seed 1]
       [--spun 300] [--excerpts 200] [--unrelated 200]
       [--styles thesaurus:0.8,phrase:0.48]
"""
import argparse
import difflib
import glob
import hashlib
import html
import json
import os
import random
import re
import subprocess
import sys

MIN_DOC_WORDS = 80
EXCERPT_DOC_MIN_WORDS = 1000
EXCERPT_PARAGRAPH_MIN_WORDS = 25
EXCERPT_MAX_WORDS = 500
UNRELATED_MIN_BODY_WORDS = 20
UNRELATED_MIN_WORDS = 150
NGRAM = 8
SHINGLE_SAMPLE = 4  # near_duplicates: keep grams whose hash is divisible by this
NEAR_IDENTICAL = 0.9
AMBIGUOUS = 0.5
COMMON_GRAM = 50


def normalize(text):
    return " ".join(text.split())


def reuters_articles(path):
    """(NEWID, [paragraph, ...]) for every article with a body."""
    with open(path, encoding="latin-1") as f:
        text = f.read()
    for article in re.findall(r"<REUTERS\b(.*?)</REUTERS>", text, re.S):
        newid = re.search(r'NEWID="(\d+)"', article).group(1)
        body = re.search(r"<BODY>(.*?)</BODY>", article, re.S)
        if not body:
            continue
        body = html.unescape(body.group(1)).replace("\x03", "")
        body = re.sub(r"\s*Reuter\s*$", "", body.strip(), flags=re.IGNORECASE)
        # Reuters paragraphs start with an indented line.
        paragraphs = [normalize(p) for p in re.split(r"\n {2,}", body)]
        paragraphs = [p for p in paragraphs if p]
        if paragraphs:
            yield newid, paragraphs


def speech_paragraphs(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        blocks = [normalize(b) for b in re.split(r"\n\s*\n", f.read())]
    return [b for b in blocks if b and not b.startswith("President:")]


def word_count(paragraphs):
    return sum(len(p.split()) for p in paragraphs)


def load_corpora(shared):
    """Archive docs [(id, paragraphs)], duplicates dropped, and short Reuters bodies."""
    reuters = sorted(glob.glob(os.path.join(shared, "corpora/reuters21578/*.sgm")))
    speeches = sorted(p for p in glob.glob(os.path.join(shared, "corpora/presidential-speeches/*"))
                      if os.path.basename(p) != "PROVENANCE.md")
    if not reuters or not speeches:
        sys.exit(f"make_find_sets: corpora not found under {shared}/corpora")
    docs, short, seen = [], [], set()
    duplicates = 0
    for path in reuters:
        for newid, paragraphs in reuters_articles(path):
            words = word_count(paragraphs)
            if words < MIN_DOC_WORDS:
                if words >= UNRELATED_MIN_BODY_WORDS:
                    short.append((f"reuters-{newid}", paragraphs))
                continue
            key = " ".join(paragraphs)
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            docs.append((f"reuters-{newid}", paragraphs))
    for path in speeches:
        paragraphs = speech_paragraphs(path)
        key = " ".join(paragraphs)
        if not paragraphs or key in seen:
            duplicates += 1
            continue
        seen.add(key)
        name = os.path.basename(path)
        docs.append((f"speech-{name[:-4] if name.endswith('.txt') else name}", paragraphs))
    return docs, short, duplicates


def ngram_hashes(paragraphs):
    """64-bit hashes of the document's lower-cased word NGRAM-grams (stable across runs)."""
    words = " ".join(paragraphs).lower().split()
    return {int.from_bytes(hashlib.blake2b(" ".join(words[i:i + NGRAM]).encode(),
                                           digest_size=8).digest(), "little")
            for i in range(len(words) - NGRAM + 1)}


def near_duplicates(docs):
    """Drops near-identical documents and finds the ones a query could not name uniquely.

    On a 1-in-SHINGLE_SAMPLE sample of each document's NGRAM-gram hashes: a document
    sharing NEAR_IDENTICAL of its grams with an earlier kept one, which shares as much
    of its own, is dropped (a re-filed story, a speech filed twice). Of the rest, a
    document is *ambiguous* when AMBIGUOUS of its grams occur in one other document
    (it is mostly a part of another: an earlier version of a story, a quoted speech);
    queries are not drawn from those, so each query has one right answer. Grams in
    more than COMMON_GRAM documents (boilerplate) are not counted.
    Returns (kept docs, dropped count, set of ambiguous doc ids).
    """
    grams = [{h for h in ngram_hashes(p) if h % SHINGLE_SAMPLE == 0} for _, p in docs]
    postings = {}
    kept, dropped = [], 0
    for i, doc_grams in enumerate(grams):
        shared = {}
        for h in doc_grams:
            for j in postings.get(h, ()):
                shared[j] = shared.get(j, 0) + 1
        if any(n >= NEAR_IDENTICAL * max(len(doc_grams), len(grams[j]))
               for j, n in shared.items()):
            dropped += 1
            continue
        kept.append(i)
        for h in doc_grams:
            postings.setdefault(h, []).append(i)
    ambiguous = set()
    for i in kept:
        shared = {}
        for h in grams[i]:
            posting = postings[h]
            if len(posting) > COMMON_GRAM:
                continue
            for j in posting:
                if j != i:
                    shared[j] = shared.get(j, 0) + 1
        if grams[i] and shared and max(shared.values()) >= AMBIGUOUS * len(grams[i]):
            ambiguous.add(docs[i][0])
    return [docs[i] for i in kept], dropped, ambiguous


def levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def word_edits(original, spun):
    a, b = original.split(), spun.split()
    edits = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            edits += levenshtein(a[i1:i2], b[j1:j2])
    return edits


def spin(unspin, queries, styles, seed):
    """Spins queries [(id, source, paragraphs)] in place of their paragraphs; returns
    [(id, source, spun paragraphs, style, word-change rate)]."""
    out = [None] * len(queries)
    for s, (style, rate) in enumerate(styles):
        chosen = [i for i in range(len(queries)) if i % len(styles) == s]
        lines = [p for i in chosen for p in queries[i][2]]
        result = subprocess.run(
            [unspin, "simulate", "--style", style, "--rate", str(rate), "--seed", str(seed),
             "--lines", "-"],
            input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
        spun = result.stdout.split("\n")
        if spun and spun[-1] == "":
            spun.pop()
        if len(spun) != len(lines):
            sys.exit(f"make_find_sets: simulate gave {len(spun)} lines for {len(lines)}")
        at = 0
        for i in chosen:
            qid, source, paragraphs = queries[i]
            spun_paragraphs = spun[at:at + len(paragraphs)]
            at += len(paragraphs)
            edits = sum(word_edits(o, t) for o, t in zip(paragraphs, spun_paragraphs))
            out[i] = (qid, source, spun_paragraphs, style, edits / word_count(paragraphs))
    return out


def write_set(out_dir, name, spun):
    with open(os.path.join(out_dir, f"queries-{name}.jsonl"), "w", encoding="utf-8") as f:
        for qid, _, paragraphs, _, _ in spun:
            f.write(json.dumps({"id": qid, "text": "\n\n".join(paragraphs)}) + "\n")
    with open(os.path.join(out_dir, f"queries-{name}.truth.tsv"), "w", encoding="utf-8") as f:
        for qid, source, _, style, rate in spun:
            f.write(f"{qid}\t{source}\t{style}\t{rate:.4f}\n")
    rates = sorted(r for *_, r in spun)
    by_style = {}
    for *_, style, rate in spun:
        by_style.setdefault(style, []).append(rate)
    stats = {
        "queries": len(spun),
        "words_mean": round(sum(word_count(p) for _, _, p, _, _ in spun) / len(spun), 1),
        "rate_mean": round(sum(rates) / len(rates), 4),
        "rate_p10": round(rates[len(rates) // 10], 4),
        "rate_p90": round(rates[len(rates) * 9 // 10], 4),
        "rate_by_style": {s: round(sum(v) / len(v), 4) for s, v in sorted(by_style.items())},
    }
    print(f"make_find_sets: {name}: {json.dumps(stats)}", file=sys.stderr)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unspin", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "../../shared"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spun", type=int, default=300)
    parser.add_argument("--excerpts", type=int, default=200)
    parser.add_argument("--unrelated", type=int, default=200)
    parser.add_argument("--styles", default="thesaurus:0.8,phrase:0.48")
    args = parser.parse_args()
    styles = [(s.split(":")[0], float(s.split(":")[1])) for s in args.styles.split(",")]
    os.makedirs(args.out, exist_ok=True)

    docs, short, duplicates = load_corpora(args.shared)
    docs, near, ambiguous = near_duplicates(docs)
    sources = [i for i, (doc_id, _) in enumerate(docs) if doc_id not in ambiguous]
    with open(os.path.join(args.out, "docs.jsonl"), "w", encoding="utf-8") as f:
        for doc_id, paragraphs in docs:
            f.write(json.dumps({"id": doc_id, "text": "\n\n".join(paragraphs)}) + "\n")
    speeches = sum(1 for d, _ in docs if d.startswith("speech-"))
    print(f"make_find_sets: docs.jsonl: {len(docs)} documents ({len(docs) - speeches} Reuters, "
          f"{speeches} speeches; {duplicates} exact and {near} near duplicates dropped; "
          f"{len(ambiguous)} mostly contained in another, not used as query sources)",
          file=sys.stderr)
    stats = {"docs": len(docs), "reuters": len(docs) - speeches, "speeches": speeches,
             "duplicates_dropped": duplicates, "near_duplicates_dropped": near,
             "ambiguous_not_sampled": len(ambiguous), "seed": args.seed,
             "styles": {s: r for s, r in styles}}

    # Whole documents.
    rng = random.Random(args.seed)
    sample = rng.sample(sources, args.spun)
    queries = [(f"spun-{n:03d}", docs[i][0], docs[i][1]) for n, i in enumerate(sample)]
    stats["spun"] = write_set(args.out, "spun", spin(args.unspin, queries, styles, args.seed))

    # Two consecutive paragraphs of a long document, one excerpt per document.
    rng = random.Random(args.seed + 1)
    candidates = []
    for i in sources:
        doc_id, paragraphs = docs[i]
        if word_count(paragraphs) < EXCERPT_DOC_MIN_WORDS:
            continue
        pairs = [i for i in range(len(paragraphs) - 1)
                 if min(len(paragraphs[i].split()), len(paragraphs[i + 1].split())) >=
                 EXCERPT_PARAGRAPH_MIN_WORDS and word_count(paragraphs[i:i + 2]) <= EXCERPT_MAX_WORDS]
        if pairs:
            candidates.append((doc_id, paragraphs, pairs))
    chosen = rng.sample(candidates, args.excerpts)
    queries = []
    for n, (doc_id, paragraphs, pairs) in enumerate(chosen):
        i = rng.choice(pairs)
        queries.append((f"excerpt-{n:03d}", doc_id, paragraphs[i:i + 2]))
    stats["excerpt_candidate_docs"] = len(candidates)
    stats["excerpt"] = write_set(args.out, "excerpt", spin(args.unspin, queries, styles,
                                                           args.seed))

    # Unrelated: short Reuters bodies (never indexed) sharing no NGRAM-gram with the archive.
    archive_ngrams = set()
    for _, paragraphs in docs:
        archive_ngrams |= ngram_hashes(paragraphs)
    clean = [(i, p) for i, p in short if not (ngram_hashes(p) & archive_ngrams)]
    del archive_ngrams
    rng = random.Random(args.seed + 2)
    rng.shuffle(clean)
    queries, group = [], []
    for doc_id, paragraphs in clean:
        group.extend(paragraphs)
        if word_count(group) >= UNRELATED_MIN_WORDS:
            queries.append((f"unrelated-{len(queries):03d}", "", group))
            group = []
            if len(queries) == args.unrelated:
                break
    stats["unrelated_candidate_bodies"] = {"short": len(short), "no_shared_ngram": len(clean)}
    stats["unrelated"] = write_set(args.out, "unrelated", spin(args.unspin, queries, styles,
                                                               args.seed))

    with open(os.path.join(args.out, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
