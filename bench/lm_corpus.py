#!/usr/bin/env python3
"""Writes the issue #3 language-model split as JSONL ({"text": ...} per line).

train.jsonl: bodies of Reuters-21578 reut2-000..017 + every presidential speech
             (without its "President: NAME" first line);
test.jsonl:  bodies of reut2-018..021.
Bodies are the text between <BODY> and </BODY>, with the SGML entities
(&lt; &gt; &amp; &#N;) decoded and control characters (the &#3; end marks)
dropped. Both sources are hard-wrapped or one-paragraph-per-line; lines are
unwrapped into paragraphs (Reuters: a paragraph starts with an indented line;
speeches: paragraphs are separated by blank lines) joined by blank lines, so
that sentence boundaries come from the tokenizer's punctuation rules and not
from line breaks. Usage: bench/lm_corpus.py [CORPORA_DIR] OUT_DIR
"""
import html
import json
import pathlib
import re
import sys


def unwrap(paragraphs):
    joined = (" ".join(line.strip() for line in p.split("\n") if line.strip()) for p in paragraphs)
    return "\n\n".join(p for p in joined if p)


def bodies(path):
    raw = path.read_bytes().decode("latin-1")
    for body in re.findall(r"<BODY>(.*?)</BODY>", raw, re.S):
        text = html.unescape(body)
        text = "".join(c for c in text if c >= " " or c in "\n\t")
        yield unwrap(re.split(r"\n(?=[ \t])", text))


def main():
    corpora = pathlib.Path(sys.argv[1] if len(sys.argv) > 2 else "../shared/corpora")
    out = pathlib.Path(sys.argv[-1])
    out.mkdir(parents=True, exist_ok=True)
    reuters = corpora / "reuters21578"
    with open(out / "train.jsonl", "w") as train:
        for i in range(18):
            for body in bodies(reuters / f"reut2-{i:03d}.sgm"):
                train.write(json.dumps({"text": body}) + "\n")
        for speech in sorted((corpora / "presidential-speeches").glob("*.txt")):
            lines = speech.read_text(encoding="utf-8").split("\n")
            if lines and lines[0].startswith("President:"):
                lines = lines[1:]
            text = unwrap(re.split(r"\n[ \t]*\n", "\n".join(lines)))
            train.write(json.dumps({"text": text}) + "\n")
    with open(out / "test.jsonl", "w") as test:
        for i in range(18, 22):
            for body in bodies(reuters / f"reut2-{i:03d}.sgm"):
                test.write(json.dumps({"text": body}) + "\n")


if __name__ == "__main__":
    main()
