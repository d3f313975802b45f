#!/usr/bin/env python3
"""Independent reference for interpolated modified Kneser-Ney (Chen & Goodman
1998, section 3.5; the variant KenLM's lmplz implements), to check
`unspin lm build --arpa` n-gram by n-gram on a small corpus.

  bench/lm_kn_reference.py ORDER TRAIN.txt MODEL.arpa [--tolerance 1e-3]
  bench/lm_kn_reference.py --score TEST.txt MODEL.arpa


TRAIN.txt is pre-tokenised text, one sentence per line, whitespace-separated
tokens (what `unspin lm build --lines` reads; tokens are compared lower-cased).
The script estimates the model from scratch with plain dictionaries (no code
shared with unspin), then reads MODEL.arpa and reports every n-gram whose
log10 probability or log10 back-off differs by more than the tolerance, every
n-gram missing on either side, and the largest differences. Exit status 1 if
anything differs. With --score, it instead scores TEST.txt (same format) with
MODEL.arpa by plain ARPA back-off, as KenLM's query does: no probability for
<s>, </s> predicted at each sentence end, an unknown word scored as <unk> and
counted; it prints perplexity including and excluding OOVs, to check
`unspin lm score` (and the model file's quantisation) independently.

Definitions (all per order n, h = history, h' = h without its oldest word):
  * sentences are <s> w1 .. wk </s>; <s> is never predicted;
  * adjusted count a(g): the raw count for top-order n-grams and for n-grams
    starting with <s>; otherwise the number of distinct words x with x+g seen
    (x may be <s>);
  * D1, D2, D3+ from t_k = #n-grams with a(g) = k: Y = t1/(t1 + 2 t2),
    Dk = k - (k+1) Y t_{k+1}/t_k;
  * p(w|h) = (a(hw) - D(a(hw))) / sum_x a(hx) + gamma(h) p(w|h'),
    gamma(h) = (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / sum_x a(hx);
  * unigrams: p(w) = (a(w) - D(a(w))) / sum_x a(x) + gamma() / |V|, |V| = the
    vocabulary without <s> but with </s> and <unk>, so p(<unk>) = gamma() / |V|;
  * ARPA: log10 p for seen n-grams, log10 gamma(h) as back-off of h.
"""
import argparse
import collections
import math
import sys

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


def estimate(order, sentences):
    raw = collections.Counter()
    vocab = {BOS, EOS, UNK}
    for words in sentences:
        vocab.update(words)
        seq = [BOS] + words + [EOS]
        for i in range(1, len(seq)):
            for n in range(1, order + 1):
                if i - n + 1 < 0:
                    break
                raw[tuple(seq[i - n + 1:i + 1])] += 1
    # Adjusted counts.
    adjusted = [dict() for _ in range(order + 1)]
    left = collections.defaultdict(set)
    for gram in raw:
        if len(gram) >= 2:
            left[gram[1:]].add(gram[0])
    for gram, count in raw.items():
        n = len(gram)
        if n == order or gram[0] == BOS:
            adjusted[n][gram] = count
        else:
            adjusted[n][gram] = len(left[gram])
    # Discounts.
    discounts = [None] * (order + 1)
    for n in range(1, order + 1):
        t = collections.Counter(c for c in adjusted[n].values() if c <= 4)
        y = t[1] / (t[1] + 2 * t[2])
        discounts[n] = [k - (k + 1) * y * t[k + 1] / t[k] for k in (1, 2, 3)]
    # Per-history sums.
    prob = [dict() for _ in range(order + 1)]
    gamma = [dict() for _ in range(order + 1)]
    for n in range(1, order + 1):
        d = discounts[n]
        total = collections.Counter()
        mass = collections.Counter()
        for gram, count in adjusted[n].items():
            total[gram[:-1]] += count
            mass[gram[:-1]] += d[min(count, 3) - 1]
        for h in total:
            gamma[n - 1][h] = mass[h] / total[h]
        for gram, count in sorted(adjusted[n].items(), key=lambda kv: len(kv[0])):
            h = gram[:-1]
            if n == 1:
                lower = 1.0 / (len(vocab) - 1)  # the uniform distribution
            else:
                lower = lower_prob(prob, gamma, gram[1:], vocab)
            prob[n][gram] = (count - d[min(count, 3) - 1]) / total[h] + gamma[n - 1][h] * lower
    for w in vocab - set(g[0] for g in prob[1]) - {BOS}:
        prob[1][(w,)] = gamma[0][()] / (len(vocab) - 1)
    return prob, gamma, discounts


def lower_prob(prob, gamma, gram, vocab):
    """Interpolated p(gram[-1] | gram[:-1]) for any gram (back-off form)."""
    n = len(gram)
    if gram in prob[n]:
        return prob[n][gram]
    if n == 1:
        return gamma[0][()] / (len(vocab) - 1)
    return gamma[n - 1].get(gram[:-1], 1.0) * lower_prob(prob, gamma, gram[1:], vocab)


def read_arpa(path):
    probs, backoffs = {}, {}
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("\\") and line.endswith("-grams:"):
                n = int(line[1:line.index("-")])
                continue
            if n == 0 or not line or line.startswith("\\"):
                continue
            fields = line.split("\t")
            gram = tuple(fields[1].split(" "))
            probs[gram] = float(fields[0])
            backoffs[gram] = float(fields[2]) if len(fields) > 2 else 0.0
    return probs, backoffs


def score(test, arpa):
    probs, backoffs = read_arpa(arpa)
    order = max(len(g) for g in probs)
    vocab = {g[0] for g in probs if len(g) == 1}
    total = oov_total = 0.0
    predicted = oov = tokens = sentences = 0
    with open(test, encoding="utf-8") as f:
        for line in f:
            words = line.lower().split()
            if not words:
                continue
            sentences += 1
            tokens += len(words)
            seq = [BOS] + [w if w in vocab else UNK for w in words] + [EOS]
            for i in range(1, len(seq)):
                context = tuple(seq[max(0, i - order + 1):i])
                log10_backoff = 0.0
                while True:
                    gram = context + (seq[i],)
                    if gram in probs:
                        lp = probs[gram] + log10_backoff
                        break
                    log10_backoff += backoffs.get(context, 0.0)
                    context = context[1:]
                total += lp
                predicted += 1
                if seq[i] == UNK:
                    oov += 1
                    oov_total += lp
    print("perplexity\t%.2f" % 10 ** (-total / predicted))
    print("perplexity_excluding_oov\t%.2f" % 10 ** (-(total - oov_total) / (predicted - oov)))
    print("tokens\t%d\nsentences\t%d\noov\t%d" % (tokens, sentences, oov))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--score":
        score(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("order", type=int)
    parser.add_argument("train")
    parser.add_argument("arpa")
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    with open(args.train, encoding="utf-8") as f:
        sentences = [line.lower().split() for line in f]
    sentences = [s for s in sentences if s]
    prob, gamma, discounts = estimate(args.order, sentences)
    for n in range(1, args.order + 1):
        print("order %d: D1 %.4f D2 %.4f D3+ %.4f" % (n, *discounts[n]))
    got_prob, got_backoff = read_arpa(args.arpa)
    bad = 0
    worst = (0.0, None)
    want = {g for n in range(1, args.order + 1) for g in prob[n]} | {(BOS,)}
    for gram in sorted(want | set(got_prob), key=lambda g: (len(g), g)):
        if gram not in got_prob or gram not in want:
            bad += 1
            if bad <= 20:
                print("%s: only in %s" % (" ".join(gram), "reference" if gram in want else "ARPA"))
            continue
        if gram == (BOS,):
            expect_p = got_prob[gram]  # -99 by convention: never predicted
        else:
            expect_p = math.log10(prob[len(gram)][gram])
        expect_b = math.log10(gamma[len(gram)][gram]) if gram in gamma[len(gram)] else 0.0
        diff = max(abs(expect_p - got_prob[gram]), abs(expect_b - got_backoff[gram]))
        if diff > worst[0]:
            worst = (diff, gram)
        if diff > args.tolerance:
            bad += 1
            if bad <= 20:
                print("%s: log10 p %.5f (reference %.5f), back-off %.5f (reference %.5f)" %
                      (" ".join(gram), got_prob[gram], expect_p, got_backoff[gram], expect_b))
    print("%d n-grams, %d differ by more than %g; largest difference %.2g at '%s'" %
          (len(want), bad, args.tolerance, worst[0], " ".join(worst[1] or ())))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
