#!/usr/bin/env python3
"""Builds a labelled WARC of article pages, some spun, all wrapped in page debris.

Articles are runs of 3-5 consecutive paragraphs (40-160 words each) of the
U.S. presidential speeches in ../shared/corpora (public domain; see its
README.md and PROVENANCE.md). Half of the pages (by a seeded draw) are spun
with `unspin simulate --lines` in one of its styles; every page is wrapped in
one of several page templates with debris: share counters, related-story
links, adverts, photo captions and credits, subscribe widgets. The WARC holds,
like a crawl: a warcinfo record, a request record before each response, HTML
responses (one in windows-1252, one with chunked transfer-encoding), plain
text responses, a redirect, an image and a metadata record. Each record is
its own gzip member (the .warc.gz convention).

The labels file has one line per article page:
  {"url", "spun": true|false, "style": "thesaurus"|... or null, "template",
   "debris": ["line text", ...]}  (the debris lines the template added).

--broken DIR writes hand-made broken archives for the reader's bad-input tests:
  truncated-member.warc.gz  the last gzip member cut in half;
  lying-length.warc         a record whose Content-Length is 80 bytes too long,
                            and one whose Content-Length is 30 bytes too short;
  binary-record.warc        an image/jpeg response and a text/plain resource
                            holding binary bytes between two good records.

Python 3 standard library only; seeded: the same arguments write the same bytes.

usage: bench/make_warc_set.py --unspin BIN --out SET.warc.gz --labels LABELS.jsonl
       [--pages 24] [--seed 1] [--corpus ../shared/corpora/presidential-speeches]
       [--broken DIR] [--pages-dir DIR]
"""
import argparse
import gzip
import hashlib
import html
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile

MIN_WORDS = 40
MAX_WORDS = 160
STYLES = ["thesaurus", "phrase", "sparse"]
DATE = "2026-11-29T12:00:00Z"

SITES = ["dailyledger.example", "capitolwire.example", "rivertown-news.example",
         "archive-voice.example", "the-statehouse.example"]
RELATED = [
    "Senate panel delays vote on harbor bill",
    "Five things to know about the new budget",
    "Governor names new head of transport agency",
    "Why the river crossing keeps getting more expensive",
    "Council approves longer library hours",
    "Opinion: the treaty debate we should be having",
]
ADVERTS = [
    "Revealed: The Secret Trick Homeowners Use to Cut Their Bills in Half",
    "Doctors Hate Him: One Weird Habit That Melts Belly Fat",
    "Sponsored: Earn $3,000 a Month From Home With This Simple Method",
]
CAPTIONS = [
    "The president speaks to reporters outside the White House on Tuesday.",
    "Members of Congress arrive for the joint session in Washington.",
    "A crowd waves flags during the ceremony on the Capitol steps.",
]
CREDITS = ["John Carter|AP Photo", "Photo: Maria Lopez/Getty Images", "(AP Photo/Evan Vucci)"]


def paragraphs_of(path):
    text = open(path, encoding="utf-8").read()
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(block.split())
        words = len(block.split())
        if MIN_WORDS <= words <= MAX_WORDS and not block.startswith("President:"):
            paragraphs.append(block)
    return paragraphs


def pick_articles(corpus, pages, rng):
    files = sorted(f for f in os.listdir(corpus) if f.endswith(".txt"))
    rng.shuffle(files)
    articles = []
    for name in files:
        paragraphs = paragraphs_of(os.path.join(corpus, name))
        if len(paragraphs) < 3:
            continue
        count = rng.randint(3, min(5, len(paragraphs)))
        start = rng.randint(0, len(paragraphs) - count)
        slug = name[11:-4].replace("-", " ")
        title = slug[:1].upper() + slug[1:] + " (" + name[:4] + ")"
        articles.append({"source": name, "title": title,
                         "paragraphs": paragraphs[start:start + count]})
        if len(articles) == pages:
            break
    return articles


def spin(unspin, paragraphs, style, seed):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        f.write("\n".join(paragraphs) + "\n")
        path = f.name
    try:
        out = subprocess.run([unspin, "simulate", "--style", style, "--seed", str(seed),
                              "--lines", path], check=True, capture_output=True)
    finally:
        os.unlink(path)
    lines = out.stdout.decode("utf-8").split("\n")
    return lines[:len(paragraphs)]


def debris_for(rng):
    return {
        "counters": [str(rng.randint(0, 400)), "%d comments" % rng.randint(2, 90)],
        "related": rng.sample(RELATED, 3),
        "advert": rng.choice(ADVERTS),
        "caption": rng.choice(CAPTIONS),
        "credit": rng.choice(CREDITS),
        "share": "Share this story: Facebook Twitter LinkedIn Email",
        "subscribe": "Get the morning briefing delivered to your inbox. Subscribe",
    }


def page_wire(title, paragraphs, d):
    e = html.escape
    body = "\n".join("<p>%s</p>" % e(p) for p in paragraphs)
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{e(title)} | Capitol Wire</title></head>
<body><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav>
<main><article><h1>{e(title)}</h1>
<div class="share-bar"><span class="count">{d['counters'][0]}</span> <a href="#">{e(d['share'])}</a></div>
<figure><img src="/img/1.jpg"><figcaption>{e(d['caption'])} <span class="credit">{e(d['credit'])}</span></figcaption></figure>
{body}
<div class="ad-slot">{e(d['advert'])}</div>
<div class="newsletter">{e(d['subscribe'])}</div>
</article>
<section class="related"><h2>Related</h2><ul>{''.join('<li><a href="/r%d">%s</a></li>' % (i, e(r)) for i, r in enumerate(d['related']))}</ul></section>
</main><footer>Copyright 2026 Capitol Wire</footer></body></html>
"""
    debris = [d["counters"][0], d["share"], d["caption"] + " " + d["credit"], d["advert"],
              d["subscribe"]] + d["related"]
    return page, debris


def page_blog(title, paragraphs, d):
    e = html.escape
    half = len(paragraphs) // 2
    first = "\n".join("<p>%s</p>" % e(p) for p in paragraphs[:half])
    second = "\n".join("<p>%s</p>" % e(p) for p in paragraphs[half:])
    page = f"""<html><head><title>{e(title)}</title></head><body>
<div id="wrap"><div class="post"><h1 class="entry-title">{e(title)}</h1>
<div class="entry-content">
{first}
<div class="sponsored"><p>Advertisement</p><p>{e(d['advert'])}</p></div>
{second}
<p class="comments-count">{e(d['counters'][1])}</p>
</div></div>
<div class="sidebar"><h3>You may also like</h3>{''.join('<p><a href="/p%d">%s</a></p>' % (i, e(r)) for i, r in enumerate(d['related']))}</div>
</div></body></html>
"""
    debris = ["Advertisement", d["advert"], d["counters"][1]] + d["related"]
    return page, debris


def page_text(title, paragraphs, d):
    lines = [title, "", d["counters"][0], d["counters"][1], "", paragraphs[0], "",
             d["caption"], d["credit"], ""]
    for p in paragraphs[1:]:
        lines += [p, ""]
    lines += ["Related: " + d["related"][0], d["related"][1], "", d["advert"], "", d["share"]]
    debris = [d["counters"][0], d["counters"][1], d["caption"], d["credit"],
              "Related: " + d["related"][0], d["related"][1], d["advert"], d["share"]]
    return "\n".join(lines) + "\n", debris


TEMPLATES = {"wire": page_wire, "blog": page_blog, "text": page_text}


def record_id(*parts):
    digest = hashlib.sha1("\0".join(parts).encode()).hexdigest()
    return "<urn:uuid:%s-%s-%s-%s-%s>" % (digest[:8], digest[8:12], digest[12:16],
                                         digest[16:20], digest[20:32])


def warc_record(warc_type, uri, content_type, block, extra=(), length=None):
    headers = ["WARC/1.1", "WARC-Type: " + warc_type,
               "WARC-Record-ID: " + record_id(warc_type, uri, str(len(block))),
               "WARC-Date: " + DATE]
    if uri:
        headers.append("WARC-Target-URI: " + uri)
    headers += list(extra)
    headers.append("Content-Type: " + content_type)
    headers.append("Content-Length: %d" % (len(block) if length is None else length))
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def http_response(status, headers, body):
    head = "HTTP/1.1 %s\r\n" % status + "".join("%s: %s\r\n" % h for h in headers) + "\r\n"
    return head.encode() + body


def http_request(url):
    host = url.split("/")[2]
    path = "/" + "/".join(url.split("/")[3:])
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: unspin-test\r\n\r\n" % (path, host)).encode()


def chunked(body, size=700):
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def member(record):
    # mtime=0 keeps the bytes reproducible.
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as f:
        f.write(record)
    return buffer.getvalue()


def build(args):
    rng = random.Random(args.seed)
    articles = pick_articles(args.corpus, args.pages, rng)
    if len(articles) < args.pages:
        sys.exit("make_warc_set: only %d articles found in %s" % (len(articles), args.corpus))
    # Decide labels, then spin per style in one simulate call each.
    plan = []
    for i, article in enumerate(articles):
        spun = rng.random() < 0.5
        style = STYLES[i % len(STYLES)] if spun else None
        template = ["wire", "blog", "text"][i % 3]
        plan.append((article, spun, style, template))
    for style in STYLES:
        chosen = [p for p in plan if p[2] == style]
        flat = [para for p in chosen for para in p[0]["paragraphs"]]
        if not flat:
            continue
        spun_lines = spin(args.unspin, flat, style, args.seed)
        k = 0
        for article, _, _, _ in chosen:
            n = len(article["paragraphs"])
            article["paragraphs"] = spun_lines[k:k + n]
            k += n

    records = [warc_record("warcinfo", "", "application/warc-fields",
                           b"software: bench/make_warc_set.py\r\nformat: WARC File Format 1.1\r\n")]
    labels = []
    for i, (article, spun, style, template) in enumerate(plan):
        site = SITES[i % len(SITES)]
        url = "http://%s/story/%03d" % (site, i)
        page, debris = TEMPLATES[template](article["title"], article["paragraphs"],
                                           debris_for(rng))
        records.append(warc_record("request", url, "application/http; msgtype=request",
                                   http_request(url)))
        if template == "text":
            headers = [("Content-Type", "text/plain; charset=utf-8")]
            body = page.encode("utf-8")
        elif i == 1:
            headers = [("Content-Type", "text/html; charset=windows-1252")]
            body = page.replace('<meta charset="utf-8">', "").encode("cp1252", "replace")
        else:
            headers = [("Content-Type", "text/html; charset=utf-8")]
            body = page.encode("utf-8")
        if i == 3:
            headers.append(("Transfer-Encoding", "chunked"))
            body = chunked(body)
        records.append(warc_record("response", url, "application/http; msgtype=response",
                                   http_response("200 OK", headers, body)))
        if args.pages_dir:
            kind = "text" if template == "text" else "html"
            os.makedirs(os.path.join(args.pages_dir, kind), exist_ok=True)
            with open(os.path.join(args.pages_dir, kind, "%03d.%s" % (i, "txt" if kind == "text"
                                                                      else "html")), "wb") as f:
                f.write(page.encode("utf-8"))
        labels.append({"url": url, "spun": spun, "style": style, "template": template,
                       "source": article["source"], "debris": debris})
        if i == 2:
            records.append(warc_record(
                "response", "http://%s/old/%03d" % (site, i), "application/http; msgtype=response",
                http_response("301 Moved Permanently", [("Location", url)], b"")))
            records.append(warc_record(
                "response", "http://%s/img/%03d.png" % (site, i),
                "application/http; msgtype=response",
                http_response("200 OK", [("Content-Type", "image/png")],
                              b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(300)))))
            records.append(warc_record("metadata", url, "application/warc-fields",
                                       b"outlinks: http://%s/r0\r\n" % site.encode()))
    with open(args.out, "wb") as f:
        for record in records:
            f.write(member(record))
    with open(args.labels, "w", encoding="utf-8") as f:
        for label in labels:
            f.write(json.dumps(label, ensure_ascii=False) + "\n")
    print("make_warc_set: %d pages (%d spun) in %d records -> %s, %s" %
          (len(labels), sum(l["spun"] for l in labels), len(records), args.out, args.labels),
          file=sys.stderr)


def text_record(uri, text):
    return warc_record("resource", uri, "text/plain; charset=utf-8", text.encode("utf-8"))


def build_broken(directory):
    os.makedirs(directory, exist_ok=True)
    good = [text_record("http://broken.example/%d" % i,
                        "Story %d. The council met on Tuesday and approved the harbor repairs "
                        "after a long debate.\n" % i) for i in range(3)]
    # The last member cut in half.
    data = b"".join(member(r) for r in good)
    last = member(text_record("http://broken.example/cut", "A story that is cut off. " * 40))
    with open(os.path.join(directory, "truncated-member.warc.gz"), "wb") as f:
        f.write(data + last[:len(last) // 2])
    # Content-Length 80 bytes too long (swallows the start of the next record),
    # then one 30 bytes too short.
    long_block = b"This record claims to be longer than it is.\n"
    short_block = b"This record claims to be shorter than it is, by thirty bytes or so.\n"
    with open(os.path.join(directory, "lying-length.warc"), "wb") as f:
        f.write(good[0])
        f.write(warc_record("resource", "http://broken.example/too-long", "text/plain",
                            long_block, length=len(long_block) + 80))
        f.write(good[1])
        f.write(warc_record("resource", "http://broken.example/too-short", "text/plain",
                            short_block, length=len(short_block) - 30))
        f.write(good[2])
    # Binary payloads between good records.
    with open(os.path.join(directory, "binary-record.warc"), "wb") as f:
        f.write(good[0])
        f.write(warc_record("response", "http://broken.example/photo.jpg",
                            "application/http; msgtype=response",
                            http_response("200 OK", [("Content-Type", "image/jpeg")],
                                          bytes(range(256)) * 4)))
        f.write(warc_record("resource", "http://broken.example/blob.txt", "text/plain",
                            b"\x00\x01\x02binary\xff\xfe" * 20))
        f.write(good[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--unspin", help="the unspin binary (for simulate)")
    parser.add_argument("--out", help="WARC file to write (.warc.gz)")
    parser.add_argument("--labels", help="labels JSONL to write")
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus",
                        default=os.path.join(here, "..", "..", "shared", "corpora",
                                             "presidential-speeches"))
    parser.add_argument("--broken", help="also write the hand-made broken WARCs here")
    parser.add_argument("--pages-dir",
                        help="also write each page as a file, DIR/text/NNN.txt or DIR/html/NNN.html")
    args = parser.parse_args()
    if args.broken:
        build_broken(args.broken)
    if args.out:
        if not args.unspin or not args.labels:
            parser.error("--out needs --unspin and --labels")
        build(args)
    elif not args.broken:
        parser.error("nothing to do: give --out (with --unspin, --labels) and/or --broken")


if __name__ == "__main__":
    main()
