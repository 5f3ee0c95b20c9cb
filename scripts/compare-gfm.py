#!/usr/bin/env python3
"""Compares the body of every decision page adrsite builds with GitHub's rendering of the same
file: Debian's cmark-gfm with the extensions GitHub uses (table, strikethrough, autolink,
tasklist, footnotes).

    scripts/compare-gfm.py [--adrsite .build/release/adrsite] [--verbose] [LOG ...]

LOG defaults to every folder of ../shared/corpus/. Each log is built into a temporary folder;
for each decision of its decisions.json, the page's body (inside <div class="decision-body">)
and cmark-gfm's HTML of the source file (front matter left out, as adrsite leaves it out) are
normalised as cmark-gfm's test/normalize.py does (whitespace, attribute order, references), then
adrsite's own additions are taken out of both:

  - where links and images lead (adrsite points links into the log at pages, and writes a link
    or image that leads nowhere as <span class="unresolved-link"> / <span class="missing-image">),
  - heading anchors (id and the "#" link), ids and states of follow-up items, ADR-12 mention links,
  - the title heading and the metadata lines the page header shows (blocks of cmark-gfm's output
    before the first block both have, and the first <h1>),
  - the class that marks Mermaid blocks for drawing.

Prints each body that differs (with --verbose, the first difference) and the count.
Exit status 1 when any differs.
"""
import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = {"article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map", "button",
         "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd", "progress", "div",
         "section", "dl", "table", "td", "dt", "tbody", "embed", "textarea", "fieldset", "tfoot", "figcaption",
         "th", "figure", "thead", "footer", "tr", "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video",
         "script", "style"}
WS = re.compile(r"\s+")


class Normalizer(HTMLParser):
    """normalize.py's rules, written again; also splits the result into top-level blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out, self.last, self.last_tag, self.in_pre = "", "starttag", "", False
        self.depth, self.blocks, self.block_start = 0, [], 0

    def handle_data(self, data):
        after_tag = self.last in ("endtag", "starttag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = WS.sub(" ", data)
        if after_tag and self.last_tag in BLOCK and not self.in_pre:
            data = data.lstrip() if self.last == "starttag" else data.strip()
        self.out += data
        self.last = "data"

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self.in_pre = True
        if tag in BLOCK:
            self.out = self.out.rstrip()
        if self.depth == 0:
            self.cut()
        if tag not in ("br", "hr", "img", "input"):
            self.depth += 1
        self.out += "<" + tag
        for k, v in sorted(attrs, key=lambda a: (a[0], a[1] or "")):
            self.out += " " + k + ("" if v is None else '="' + html.escape(v, quote=True) + '"')
        self.out += ">"
        self.last_tag, self.last = tag, "starttag"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img", "input"):
            self.depth -= 1
        self.last_tag, self.last = tag, "endtag"

    def handle_endtag(self, tag):
        if tag == "pre":
            self.in_pre = False
        elif tag in BLOCK:
            self.out = self.out.rstrip()
        self.out += "</" + tag + ">"
        self.depth = max(self.depth - 1, 0)
        self.last_tag, self.last = tag, "endtag"
        if self.depth == 0:
            self.cut()

    def handle_comment(self, data):
        self.out += "<!--" + data + "-->"
        self.last = "comment"

    def handle_entityref(self, name):
        self.out += {"lt": "&lt;", "gt": "&gt;", "amp": "&amp;", "quot": "&quot;"}.get(name) or html.unescape("&" + name + ";")
        self.last = "ref"

    def handle_charref(self, name):
        c = html.unescape("&#" + name + ";")
        self.out += {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}.get(c, c)
        self.last = "ref"

    def cut(self):
        piece = self.out[self.block_start:].strip()
        if piece:
            self.blocks.append(piece)
        self.block_start = len(self.out)

    def result(self, text):
        self.feed(text)
        self.close()
        self.cut()
        return self.blocks


def without_additions(body):
    """adrsite's body with its own additions taken out (see the module's text)."""
    body = re.sub(r' <a class="anchor" href="[^"]*" aria-label="Link to this section">#</a>', "", body)
    body = re.sub(r'<(h[1-6]) id="[^"]*">', r"<\1>", body)
    body = re.sub(r'<li id="follow-up-\d+">', "<li>", body)
    body = re.sub(r' <span class="follow-up-state[^"]*">.*?</span>(?=</li>)', "", body, flags=re.S)
    body = re.sub(r'\n <span class="follow-up-state[^"]*">.*?</span></li>', "\n</li>", body, flags=re.S)
    body = re.sub(r'<a class="mention" href="[^"]*">(.*?)</a>', r"\1", body, flags=re.S)
    body = re.sub(r'<span class="unresolved-link">(.*?)</span>', r'<a href="">\1</a>', body, flags=re.S)
    body = re.sub(r'<span class="missing-image">(.*?)</span>', r'<img src="" alt="\1" />', body, flags=re.S)
    body = body.replace('<pre class="mermaid">', "<pre>")
    return body


def without_destinations(block):
    """Links and images without where they lead."""
    return re.sub(r' (href|src)="[^"]*"', "", block)


def compare(ours, theirs):
    """None when adrsite's blocks are GitHub's, less the title and metadata blocks; else the
    first difference."""
    a = [without_destinations(b) for b in Normalizer().result(without_additions(ours))]
    b = [without_destinations(x) for x in Normalizer().result(theirs)]
    i = j = 0
    matched = False
    title_seen = False
    while j < len(b):
        if i < len(a) and a[i] == b[j]:
            i += 1
            j += 1
            matched = True
            continue
        if not matched or (b[j].startswith("<h1>") and not title_seen):
            title_seen = title_seen or b[j].startswith("<h1>")
            j += 1
            continue
        return "adrsite: %s\ncmark-gfm: %s" % (a[i][:400] if i < len(a) else "(nothing)", b[j][:400])
    if i < len(a):
        return "adrsite has more: %s" % a[i][:400]
    return None


def front_matter_removed(text):
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for k in range(1, len(lines)):
            if lines[k].strip() in ("---", "..."):
                return "\n" * k + "\n" + "\n".join(lines[k + 1:])
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", nargs="*")
    parser.add_argument("--adrsite", default=os.path.join(ROOT, ".build/release/adrsite"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    corpus = os.path.join(ROOT, "..", "shared", "corpus")
    logs = args.logs or sorted(os.path.join(corpus, d) for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)))
    total = same = 0
    for log in logs:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "site")
            subprocess.run([args.adrsite, "build", log, "--output", out], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            with open(os.path.join(out, "decisions.json"), encoding="utf-8") as f:
                decisions = json.load(f)["decisions"]
            for d in decisions:
                with open(os.path.join(out, d["url"]), encoding="utf-8") as f:
                    page = f.read()
                m = re.search(r'<div class="decision-body">\n(.*?)\n    </div>\n    <aside', page, re.S)
                with open(os.path.join(log, d["source"]), encoding="utf-8", errors="replace") as f:
                    source = front_matter_removed(f.read().lstrip("\ufeff"))
                theirs = subprocess.run(["cmark-gfm", "-e", "table", "-e", "strikethrough", "-e", "autolink",
                                         "-e", "tasklist", "-e", "footnotes"], input=source, capture_output=True,
                                        text=True, check=True).stdout
                total += 1
                difference = compare(m.group(1) if m else "", theirs)
                if difference is None:
                    same += 1
                else:
                    print("differs: %s/%s" % (os.path.basename(log), d["source"]))
                    if args.verbose:
                        print("  " + difference.replace("\n", "\n  "))
    print("%d of %d decision bodies match cmark-gfm" % (same, total))
    return 0 if same == total else 1


if __name__ == "__main__":
    sys.exit(main())
