"""Correctness check of a build: the output is the whole site (a fast, incomplete build must not pass)."""
import html
import json
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from .common import CheckFailed


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def check_site(out, corpus_dir, md_files):
    """Checks that the build in `out` is the whole site; returns a one-line summary.

    - decisions.json has exactly one record per .md file of the corpus (its `source`), ids unique;
    - every record has its page `<id>.html`, not empty, showing the record's title;
    - index.html links to every one of those pages.
    Raises CheckFailed with the first problems found.
    """
    problems = []

    def fail():
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise CheckFailed(f"incomplete site in {out} (corpus {corpus_dir}):\n  - " + "\n  - ".join(shown))

    try:
        records = json.loads((out / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    except (OSError, ValueError, KeyError) as error:
        problems.append(f"cannot read decisions.json: {error}")
        fail()
    if len(records) != len(md_files):
        problems.append(f"decisions.json has {len(records)} records, the corpus {len(md_files)} .md files")
    sources = [r.get("source") for r in records]
    missing = sorted(set(md_files) - set(sources))
    extra = sorted(set(sources) - set(md_files))
    problems += [f"no record for {m}" for m in missing[:5]] + [f"record for unknown file {e}" for e in extra[:5]]
    ids = [r.get("id") for r in records]
    if len(set(ids)) != len(ids):
        problems.append(f"{len(ids) - len(set(ids))} duplicate ids in decisions.json")
    for record in records:
        page = out / f"{record.get('id')}.html"
        try:
            text = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"page {page.name} of {record.get('source')}: {error.__class__.__name__}")
            continue
        title = record.get("title") or ""
        if not text.strip():
            problems.append(f"page {page.name} is empty")
        elif title and not any(t in text for t in (title, html.escape(title, quote=False), html.escape(title))) \
                and title not in html.unescape(text):
            problems.append(f"page {page.name} does not show its title {title!r}")
    if problems:
        fail()

    index = out / "index.html"
    try:
        parser = LinkCollector()
        parser.feed(index.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"cannot read index.html: {error}")
        fail()
    linked = set()
    for href in parser.hrefs:
        target = urlsplit(urljoin("http://site/index.html", href))
        if target.netloc == "site":
            linked.add(unquote(target.path.lstrip("/")))
    unlinked = [f"{i}.html" for i in ids if f"{i}.html" not in linked]
    if unlinked:
        problems.append(f"index.html links to {len(ids) - len(unlinked)} of {len(ids)} pages; "
                        f"not to {', '.join(unlinked[:5])}{' ...' if len(unlinked) > 5 else ''}")
        fail()
    return f"{len(records)} records = {len(md_files)} .md files, {len(ids)} pages, all linked from index.html"
