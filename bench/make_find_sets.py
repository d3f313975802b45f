#!/usr/bin/env python3
"""Builds the archive and the query sets of issue #5 (source finding), for
bench/find_vs_xapian.sh. Python 3 standard library only.

From ../shared/corpora it writes into --out:

  docs.jsonl               the archive: every Reuters-21578 body of MIN_DOC_WORDS+
                           words ("reuters-<NEWID>"), every presidential speech
                           ("speech-<file name>") and every Brown Corpus sample
                           ("brown-<genre>-<file name>"); paragraphs joined by blank
                           lines. Exact duplicates (same words) are kept once, first
                           id wins.
  queries-spun.jsonl       --spun documents of the archive (seeded sample), spun whole
  queries-excerpt.jsonl    --excerpts two-paragraph excerpts of archive documents of
                           EXCERPT_DOC_MIN_WORDS+ words, spun the same way
  queries-paragraph.jsonl  --paragraphs paragraphs of PARAGRAPH_MIN_WORDS..
                           PARAGRAPH_MAX_WORDS words (consecutive short paragraphs
                           joined until there are enough), one per document, spun
                           with --paragraph-styles
  queries-short-excerpt.jsonl
                           --short-excerpts runs of consecutive sentences of one
                           paragraph, SHORT_EXCERPT_MIN_WORDS..SHORT_EXCERPT_MAX_WORDS
                           words, of documents of EXCERPT_DOC_MIN_WORDS+ words, spun
                           with --short-excerpt-styles
  queries-unrelated.jsonl  --unrelated texts that are not in the archive: Reuters
                           bodies of UNRELATED_MIN_BODY_WORDS..MIN_DOC_WORDS-1 words
                           (so never indexed) that share no word NGRAM-gram with any
                           archive document, joined until UNRELATED_MIN_WORDS words,
                           spun the same way
  queries-unrelated-short.jsonl
                           the same bodies, joined until UNRELATED_SHORT_MIN_WORDS
                           words, spun with --paragraph-styles
  <set>.truth.tsv          query id, source doc id (empty for unrelated), style,
                           measured word-change rate, and for excerpts the UTF-8
                           byte range [begin, end) of the excerpt in the source text
  stats.json               counts and measured spin rates

Every query line is {"id": str, "text": str}. Spinning uses the project's own
spinner, `unspin simulate --lines`, one paragraph per line (so paragraph breaks
survive), rotating through --styles (style:rate pairs; query i gets style
i mod n). Style `real` is the real spinners' dictionaries as the check
evaluation sets apply them (bench/make_eval_sets.py, real-dict: at most a
quarter of a paragraph's words), then `thesaurus` at the rate given: the real
dictionaries alone change only a few percent of the words. The word-change rate of a query is the word-level edit distance
(Levenshtein over whitespace tokens: substitutions, insertions, deletions)
between original and spun text, divided by the original's word count; it is
computed per paragraph on the difflib alignment, exact Levenshtein inside
each differing block. The default rates put every style at 25-30%.

Deterministic: the same corpora, seed and unspin model give the same bytes.

usage: bench/make_find_sets.py --unspin BIN --out DIR [--shared ../shared] [--seed 1]
       [--spun 300] [--excerpts 200] [--paragraphs 300] [--short-excerpts 200]
       [--unrelated 200] [--styles thesaurus:0.8,phrase:0.48]
       [--paragraph-styles thesaurus:0.9,phrase:0.6,real:0.7]
       [--short-excerpt-styles thesaurus:0.8,phrase:0.48]
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_eval_sets  # noqa: E402  (the real-dictionary spinner, shared with the other sets)

MIN_DOC_WORDS = 80
PARAGRAPH_MIN_WORDS = 60
PARAGRAPH_MAX_WORDS = 200
SHORT_EXCERPT_MIN_WORDS = 40
SHORT_EXCERPT_MAX_WORDS = 80
UNRELATED_SHORT_MIN_WORDS = 60
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


def blank_line_paragraphs(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        blocks = [normalize(b) for b in re.split(r"\n\s*\n", f.read())]
    return [b for b in blocks if b]


def speech_paragraphs(path):
    return [b for b in blank_line_paragraphs(path) if not b.startswith("President:")]


def stem(path):
    name = os.path.basename(path)
    return name[:-4] if name.endswith(".txt") else name


def word_count(paragraphs):
    return sum(len(p.split()) for p in paragraphs)


def load_corpora(shared):
    """Archive docs [(id, paragraphs)], duplicates dropped, and short Reuters bodies."""
    reuters = sorted(glob.glob(os.path.join(shared, "corpora/reuters21578/*.sgm")))
    speeches = sorted(p for p in glob.glob(os.path.join(shared, "corpora/presidential-speeches/*"))
                      if os.path.basename(p) != "PROVENANCE.md")
    brown = sorted(glob.glob(os.path.join(shared, "corpora/brown/*/*.txt")))
    if not reuters or not speeches or not brown:
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
    named = [(f"speech-{stem(path)}", speech_paragraphs(path)) for path in speeches]
    named += [(f"brown-{os.path.basename(os.path.dirname(path))}-{stem(path)}",
               blank_line_paragraphs(path)) for path in brown]
    for doc_id, paragraphs in named:
        key = " ".join(paragraphs)
        if not paragraphs or key in seen:
            duplicates += 1
            continue
        seen.add(key)
        docs.append((doc_id, paragraphs))
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


def real_spinner(shared, seed):
    """A function spinning one paragraph with the real spinners' dictionaries (all styles
    of real-substitutions-dev.tsv), as bench/make_eval_sets.py makes real-dict.jsonl."""
    table, function_words = make_eval_sets.load_real_substitutions(
        os.path.join(shared, "data/real-substitutions-dev.tsv"))
    pattern = make_eval_sets.dictionary_pattern(table)
    rng = random.Random(seed)
    return lambda text: make_eval_sets.real_dictionary_spin(text, table, function_words,
                                                            pattern, rng)


def spin(unspin, shared, queries, styles, seed):
    """Spins queries [(id, source, paragraphs)] in place of their paragraphs; returns
    [(id, source, spun paragraphs, style, word-change rate)]."""
    out = [None] * len(queries)
    real = None
    for s, (style, rate) in enumerate(styles):
        chosen = [i for i in range(len(queries)) if i % len(styles) == s]
        lines = [p for i in chosen for p in queries[i][2]]
        simulated = style
        if style == "real":
            if real is None:
                real = real_spinner(shared, seed)
            lines = [real(line) for line in lines]
            simulated = "thesaurus"
        result = subprocess.run(
            [unspin, "simulate", "--style", simulated, "--rate", str(rate), "--seed", str(seed),
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


def write_set(out_dir, name, spun, spans=None):
    """spans: query id -> (begin, end) bytes of the excerpt in its source's text."""
    with open(os.path.join(out_dir, f"queries-{name}.jsonl"), "w", encoding="utf-8") as f:
        for qid, _, paragraphs, _, _ in spun:
            f.write(json.dumps({"id": qid, "text": "\n\n".join(paragraphs)}) + "\n")
    with open(os.path.join(out_dir, f"queries-{name}.truth.tsv"), "w", encoding="utf-8") as f:
        for qid, source, _, style, rate in spun:
            span = "".join(f"\t{b}" for b in spans[qid]) if spans else ""
            f.write(f"{qid}\t{source}\t{style}\t{rate:.4f}{span}\n")
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
    parser.add_argument("--paragraphs", type=int, default=300)
    parser.add_argument("--short-excerpts", type=int, default=200)
    parser.add_argument("--styles", default="thesaurus:0.8,phrase:0.48")
    parser.add_argument("--paragraph-styles", default="thesaurus:0.9,phrase:0.6,real:0.7")
    parser.add_argument("--short-excerpt-styles", default="thesaurus:0.8,phrase:0.48")
    args = parser.parse_args()

    def parse_styles(spec):
        return [(s.split(":")[0], float(s.split(":")[1])) for s in spec.split(",")]

    styles = parse_styles(args.styles)
    paragraph_styles = parse_styles(args.paragraph_styles)
    short_excerpt_styles = parse_styles(args.short_excerpt_styles)
    os.makedirs(args.out, exist_ok=True)

    docs, short, duplicates = load_corpora(args.shared)
    docs, near, ambiguous = near_duplicates(docs)
    sources = [i for i, (doc_id, _) in enumerate(docs) if doc_id not in ambiguous]
    with open(os.path.join(args.out, "docs.jsonl"), "w", encoding="utf-8") as f:
        for doc_id, paragraphs in docs:
            f.write(json.dumps({"id": doc_id, "text": "\n\n".join(paragraphs)}) + "\n")
    speeches = sum(1 for d, _ in docs if d.startswith("speech-"))
    brown = sum(1 for d, _ in docs if d.startswith("brown-"))
    reuters = len(docs) - speeches - brown
    print(f"make_find_sets: docs.jsonl: {len(docs)} documents ({reuters} Reuters, "
          f"{speeches} speeches, {brown} Brown; {duplicates} exact and {near} near duplicates "
          f"dropped; {len(ambiguous)} mostly contained in another, not used as query sources)",
          file=sys.stderr)
    stats = {"docs": len(docs), "reuters": reuters, "speeches": speeches, "brown": brown,
             "duplicates_dropped": duplicates, "near_duplicates_dropped": near,
             "ambiguous_not_sampled": len(ambiguous), "seed": args.seed,
             "styles": {s: r for s, r in styles},
             "paragraph_styles": {s: r for s, r in paragraph_styles},
             "short_excerpt_styles": {s: r for s, r in short_excerpt_styles}}

    # Whole documents.
    rng = random.Random(args.seed)
    sample = rng.sample(sources, args.spun)
    queries = [(f"spun-{n:03d}", docs[i][0], docs[i][1]) for n, i in enumerate(sample)]
    stats["spun"] = write_set(args.out, "spun", spin(args.unspin, args.shared, queries, styles,
                                                     args.seed))

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
    stats["excerpt"] = write_set(args.out, "excerpt", spin(args.unspin, args.shared, queries,
                                                           styles, args.seed))

    # Paragraphs: consecutive paragraphs joined until PARAGRAPH_MIN_WORDS, one per document.
    rng = random.Random(args.seed + 3)
    candidates = []
    for i in sources:
        doc_id, paragraphs = docs[i]
        runs, group = [], []
        for paragraph in paragraphs:
            group.append(paragraph)
            if word_count(group) >= PARAGRAPH_MIN_WORDS:
                if word_count(group) <= PARAGRAPH_MAX_WORDS:
                    runs.append(group)
                group = []
        if runs:
            candidates.append((doc_id, runs))
    queries = [(f"paragraph-{n:03d}", doc_id, rng.choice(runs))
               for n, (doc_id, runs) in enumerate(rng.sample(candidates, args.paragraphs))]
    stats["paragraph_candidate_docs"] = len(candidates)
    stats["paragraph"] = write_set(args.out, "paragraph", spin(args.unspin, args.shared, queries,
                                                               paragraph_styles, args.seed))

    # Short excerpts: consecutive sentences of one paragraph of a long document.
    rng = random.Random(args.seed + 4)
    candidates = []
    for i in sources:
        doc_id, paragraphs = docs[i]
        if word_count(paragraphs) < EXCERPT_DOC_MIN_WORDS:
            continue
        text = "\n\n".join(paragraphs)
        runs = []
        at = 0  # character offset of the paragraph in text
        for paragraph in paragraphs:
            sentences = [(m.start(), m.end()) for m in re.finditer(r"\S.*?(?:[.!?][\"')]*(?=\s|$)|$)",
                                                                   paragraph)]
            for first in range(len(sentences)):
                for last in range(first, len(sentences)):
                    begin, end = sentences[first][0], sentences[last][1]
                    words = len(paragraph[begin:end].split())
                    if words > SHORT_EXCERPT_MAX_WORDS:
                        break
                    if words >= SHORT_EXCERPT_MIN_WORDS:
                        runs.append((at + begin, at + end))
                        break
            at += len(paragraph) + 2
        if runs:
            candidates.append((doc_id, text, runs))
    queries, spans = [], {}
    for n, (doc_id, text, runs) in enumerate(rng.sample(candidates, args.short_excerpts)):
        begin, end = rng.choice(runs)
        qid = f"short-excerpt-{n:03d}"
        queries.append((qid, doc_id, [text[begin:end]]))
        spans[qid] = (len(text[:begin].encode()), len(text[:end].encode()))
    stats["short_excerpt_candidate_docs"] = len(candidates)
    stats["short-excerpt"] = write_set(
        args.out, "short-excerpt",
        spin(args.unspin, args.shared, queries, short_excerpt_styles, args.seed), spans)

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
    stats["unrelated"] = write_set(args.out, "unrelated", spin(args.unspin, args.shared, queries,
                                                               styles, args.seed))
    # The bodies left, in paragraph-sized queries.
    used = sum(len(q[2]) for q in queries)
    remaining = [p for _, paragraphs in clean for p in paragraphs][used:]
    queries, group = [], []
    for paragraph in remaining:
        group.append(paragraph)
        if word_count(group) >= UNRELATED_SHORT_MIN_WORDS:
            queries.append((f"unrelated-short-{len(queries):03d}", "", group))
            group = []
            if len(queries) == args.unrelated:
                break
    stats["unrelated-short"] = write_set(args.out, "unrelated-short",
                                         spin(args.unspin, args.shared, queries,
                                              paragraph_styles, args.seed))

    with open(os.path.join(args.out, "stats.json"), "w", encoding="utf-8") as f:
        json.dump(stats, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
