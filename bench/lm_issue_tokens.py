#!/usr/bin/env python3
"""Re-tokenises `unspin lm tokenize` output (one sentence per line) the way
issue #3's split is described: "lower-cased, punctuation as tokens, one
sentence per line", read as Penn Treebank / NLTK word_tokenize conventions.

  unspin lm tokenize train.jsonl | bench/lm_issue_tokens.py > train.issue.txt

Sentences stay as the unspin tokenizer split them; within each token
  * clitics are split off: "china's" -> "china 's", "don't" -> "do n't",
    "we're" -> "we 're" (the unspin tokenizer keeps them in the word); an
    apostrophe before letters always starts a token ("rock'n'roll" ->
    "rock 'n 'roll");
  * every other punctuation character is its own token ("..." -> ". . ."),
  * except abbreviations ("u.s.", "e.g.") and numbers ("3.5", "1,000"), which
    stay whole (as they do in both tokenizers).
On the issue's split this gives 6.99M training and 0.42M test tokens (the
issue: "about 7.0M" and "about 0.43M"; unspin's own tokens: 6.94M and 0.42M).
The output is for `unspin lm build --lines` / `lm score --lines` and for peers.
"""
import re
import sys

TOKEN = re.compile(
    r"[a-z]{1,2}(?:\.[a-z]{1,2})+\.?"  # abbreviations: u.s., e.g., p.m.
    r"|\d+(?:[.,]\d+)*"                # numbers: 150, 3.5, 1,000
    r"|\w+(?=n't)|n't"                 # do n't
    r"|'\w+"                           # 's 're 've 'll 'd 'm
    r"|\w+"
    r"|[^\w\s]")                       # any other punctuation: one token per character


def main():
    out = sys.stdout
    for line in sys.stdin:
        out.write(" ".join(TOKEN.findall(line.lower())) + "\n")


if __name__ == "__main__":
    main()
