#!/usr/bin/env python3
"""The benchmarks' 1,000-word article: the first paragraphs of a speech, kept
as paragraphs (one line of 1,000 words would read as page debris), until they
hold 1,000 words.

usage: speech_article.py SPEECH OUT [--json]   (--json: OUT holds {"text": article})
"""
import json
import sys

speech, out = sys.argv[1], sys.argv[2]
paragraphs, words = [], 0
for paragraph in open(speech, encoding="utf-8").read().split("\n"):
    if words >= 1000:
        break
    paragraphs.append(paragraph)
    words += len(paragraph.split())
text = "\n".join(paragraphs) + "\n"
with open(out, "w", encoding="utf-8") as file:
    file.write(json.dumps({"text": text}) if "--json" in sys.argv[3:] else text)
print(f"article: {words} words, {len(text.encode())} bytes", file=sys.stderr)
