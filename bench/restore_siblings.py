#!/usr/bin/env python3
"""How well `unspin restore --index` undoes a spinner from an archive, with and
without the source in it.

The 60 documents of build/eval/documents.txt (made by bench/eval_check.sh) are
each spun three times by different spinners (`unspin simulate --lines`: the
query by the thesaurus style, two siblings by the phrase and sparse styles,
rate 0.25, seeds 11, 12, 13). Two archives are indexed: the siblings alone
(the source was never crawled), and the siblings with the originals. Every
query is restored with the model alone (`restore`), and with each archive
(`restore --index`), and compared with its original by word edit distance
(counted by `unspin eval`): error reduction = 1 - edits
after / edits before.

Then the same with real spinners' dictionaries on paragraphs
(build/eval/real-<spinner>.jsonl, 40-150 words, indexed with --sample 1): the
paragraphs all of pointout, dnw and spinbot changed, the query spun by
pointout (the seed's kind), the siblings by dnw and spinbot.

usage: bench/restore_siblings.py [--unspin BIN] [--docs FILE] [--eval DIR] [--work DIR]
"""
import argparse
import json
import os
import subprocess
import sys


def word_edits(unspin, originals, texts):
    """Word edits from each original to its text, summed, and the originals'
    words: `unspin eval`'s edits_before and original_words on those pairs."""
    pairs = "".join(json.dumps({"original": o, "spun": t}) + "\n" for o, t in zip(originals, texts))
    report = json.loads(subprocess.run([unspin, "eval", "--json", "-"], input=pairs,
                                       capture_output=True, text=True, check=True).stdout)
    return report["edits_before"], report["original_words"]


def spin(unspin, lines, style, seed):
    out = subprocess.run([unspin, "simulate", "--lines", "--style", style, "--rate", "0.25",
                          "--seed", str(seed), "-"], input="".join(l + "\n" for l in lines),
                         capture_output=True, text=True, check=True).stdout
    spun = out.split("\n")[:-1]
    assert len(spun) == len(lines)
    return spun


def measure(unspin, work, name, originals, queries, siblings, sample):
    """Indexes the siblings (then also the originals) and prints error reductions."""

    def write(path, records):
        with open(path, "w", encoding="utf-8") as out:
            for doc_id, text in records:
                out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")

    siblings_only = [(f"{style}-{i}", text) for style, texts in siblings.items()
                     for i, text in enumerate(texts)]
    with_sources = siblings_only + [(f"original-{i}", text) for i, text in enumerate(originals)]
    archives = {}
    for archive, records in (("siblings", siblings_only), ("siblings+sources", with_sources)):
        jsonl = os.path.join(work, f"{name}-{archive}.jsonl")
        write(jsonl, records)
        index = os.path.join(work, f"{name}-{archive}.idx")
        subprocess.run([unspin, "index", "build", "--sample", str(sample), "--out", index, jsonl],
                       capture_output=True, check=True)
        archives[archive] = index

    before, original_words = word_edits(unspin, originals, queries)
    print(f"{name}: {len(originals)} texts, {original_words} words, "
          f"{before} word edits from the spinner")
    for label, extra in (("model only", []),
                         ("archive of siblings", ["--index", archives["siblings"]]),
                         ("archive of siblings and sources",
                          ["--index", archives["siblings+sources"]])):
        restored = [subprocess.run([unspin, "restore", *extra, "-"], input=query + "\n",
                                   capture_output=True, text=True, check=True).stdout
                    for query in queries]
        after, _ = word_edits(unspin, originals, restored)
        print(f"  {label:<32} edits after {after:6d}  error reduction {1 - after / before:.3f}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--unspin", default=os.path.join(here, "../build/release/tools/unspin"))
    parser.add_argument("--docs", default=os.path.join(here, "../build/eval/documents.txt"))
    parser.add_argument("--eval", default=os.path.join(here, "../build/eval"))
    parser.add_argument("--work", default=os.path.join(here, "../build/restore-siblings"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    originals = [l.rstrip("\n") for l in open(args.docs, encoding="utf-8") if l.strip()]
    queries = spin(args.unspin, originals, "thesaurus", 11)
    siblings = {style: spin(args.unspin, originals, style, seed)
                for style, seed in (("phrase", 12), ("sparse", 13))}
    measure(args.unspin, args.work, "simulated spinners on documents", originals, queries,
            siblings, 4)

    spun = {}
    for spinner in ("pointout", "dnw", "spinbot"):
        with open(os.path.join(args.eval, f"real-{spinner}.jsonl"), encoding="utf-8") as f:
            spun[spinner] = {p["original"]: p["spun"] for p in map(json.loads, f)}
    paragraphs = [o for o in spun["pointout"] if o in spun["dnw"] and o in spun["spinbot"]]
    measure(args.unspin, args.work, "real spinners on paragraphs", paragraphs,
            [spun["pointout"][o] for o in paragraphs],
            {s: [spun[s][o] for o in paragraphs] for s in ("dnw", "spinbot")}, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
