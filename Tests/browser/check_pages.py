#!/usr/bin/env python3
"""Reads built adrsite sites as people do, in headless Chromium (Debian's chromium, driven by
Python's playwright), and fails on what they would trip over.

    python3 Tests/browser/check_pages.py --site site=/tmp/out/site --site james=/tmp/out/james \
        [--axe site] [--expect site:fsync=0009-never-destroy-user-files] [--screenshots DIR]

For every site, at 390x844 (a phone) and 1366x900 (a laptop):
- no page (index, follow-ups, 404, every decision) is wider than the window;
- no badge on the index shows one status category's word in another category's colour;
- words that occur in the body of exactly one decision, and not in its title, find that decision
  in the search box (chosen from the pages as rendered, not from the search index); `--expect`
  adds words with their decision;
- `/` focuses the search box; `ADR-N`, `adr N` and `N` put decision N first (N = 11 where the
  log has it);
- Back after a filter change restores the unfiltered index;
- 404.html served for a missing address three folders deep under a sub-path (as GitHub Pages
  does) has its stylesheet and a working link to the index.
For the sites named with --axe: axe-core finds no serious or critical violation on the index, a
decision page, follow-ups and 404, at both widths, in light and dark.
--screenshots DIR writes the README's screenshots of the first site.

Exit status 0 when every check passed, 1 when one failed, 2 when it could not run.
"""
import argparse
import functools
import http.server
import json
import re
import sys
import threading
from pathlib import Path

try:
    from playwright.sync_api import sync_playwright
    from axe_playwright_python.sync_playwright import Axe
except ImportError as error:  # CI installs both (see .ci/run); a missing one is a failure, not a skip
    print(f"check_pages.py: {error}; install with `pip install playwright axe-playwright-python`", file=sys.stderr)
    sys.exit(2)

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Status words a badge may show, by category (templates/README.md, "Status categories and badges").
CATEGORY_WORDS = {
    "proposed": {"proposed", "draft", "pending", "in review", "open", "wip"},
    "accepted": {"accepted", "approved", "adopted", "implemented", "done"},
    "rejected": {"rejected", "declined", "withdrawn", "abandoned"},
    "deprecated": {"deprecated", "obsolete", "retired", "archived"},
    "superseded": {"superseded", "replaced", "overridden"},
    "other": {"no status", "other"},
}
WORD = re.compile(r"[A-Za-z][A-Za-z_]{5,}")

failures = []


def fail(site, message):
    failures.append(f"{site}: {message}")
    print(f"FAIL {site}: {message}", flush=True)


def pages_of(root):
    """Every HTML page of a built site, relative paths, the index first."""
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    pages.remove("index.html")
    return ["index.html"] + pages


def decision_pages(root):
    records = json.loads((root / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    return [(r["url"], r) for r in records]


class NotFoundServer(http.server.SimpleHTTPRequestHandler):
    """Serves the site under /repo/ and answers 404.html, with status 404, for anything missing:
    how GitHub Pages serves a project site."""
    def log_message(self, *args):
        pass

    def send_head(self):
        if not self.path.startswith("/repo/"):
            self.send_error(404)
            return None
        self.path = self.path[len("/repo"):]
        head = super().send_head()
        return head

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def serve(root):
    handler = functools.partial(NotFoundServer, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def guarded(site, what, check):
    """Runs one check; an exception (a missing element, a timeout) is that check's failure."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - reported with its first line
        fail(site, f"{what}: {str(error).splitlines()[0]}")
        return 0


def check_widths(page, site, root, texts):
    """Every page, at each viewport: nothing wider than the window. Each page is loaded once and
    measured at every size (resizing lays it out again). Collects each decision's body text (for
    the search checks) on the way."""
    bodies = {url for url, _ in decision_pages(root)}
    for path in pages_of(root):
        page.set_viewport_size(VIEWPORTS["phone"])
        page.goto((root / path).as_uri())
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                culprit = page.evaluate("""() => {
                    const w = innerWidth; let worst = null;
                    for (const e of document.querySelectorAll('body *')) {
                      const r = e.getBoundingClientRect();
                      if (r.right > w + 1 && (!worst || r.right > worst.r)) worst = {r: r.right, tag: e.tagName, cls: e.className, text: (e.textContent || '').slice(0, 40)};
                    }
                    return worst; }""")
                fail(site, f"{path} is {width[0]}px wide in a {width[1]}px window ({viewport}); widest: {culprit}")
        if path in bodies:
            texts[path] = page.evaluate("(document.querySelector('.decision-body') || document.body).innerText")


def check_badges(page, site, root):
    """On the index (also filtered by each status): the word on each badge belongs to the category
    of its colour, and its colour is that category's."""
    page.goto((root / "index.html").as_uri())
    badges = page.evaluate("""() => Array.from(document.querySelectorAll('.badge')).map(b => {
        const category = (b.className.match(/badge-(\\w+)/) || [])[1];
        const probe = document.createElement('span');
        probe.style.background = 'var(--' + category + ')';
        document.body.appendChild(probe);
        const expected = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return {category, word: b.textContent.trim().toLowerCase(), color: getComputedStyle(b).backgroundColor, expected};
    })""")
    if not badges:
        fail(site, "the index shows no badge")
    for b in badges:
        for category, words in CATEGORY_WORDS.items():
            if b["word"] in words and category != b["category"]:
                fail(site, f"index: a {b['category']} badge reads “{b['word']}”, a word of {category}")
        if b["color"] != b["expected"]:
            fail(site, f"index: a {b['category']} badge is {b['color']}, not the colour of {b['category']} ({b['expected']})")
    return len(badges)


def search(page, query):
    """Types `query` into the search box of the page; returns the result links (hrefs) and the
    count line, or ([], why) when no results were shown within 10 s."""
    box = page.locator("#search-input")
    try:
        box.fill("", timeout=5000)
        box.click(timeout=5000)
        box.type(query, delay=10)
        page.wait_for_function("q => { const b = document.querySelector('.search-count');"
                               " return b && b.textContent.indexOf('\u201c' + q + '\u201d') >= 0; }",
                               arg=query.strip(), timeout=10000)
    except Exception as error:  # noqa: BLE001 - the caller reports the query as not found
        return [], f"no search results shown ({str(error).splitlines()[0]})"
    links = page.evaluate("Array.from(document.querySelectorAll('.search-list a')).map(a => a.getAttribute('href'))")
    return links, page.inner_text(".search-count")


def unique_words(texts, records):
    """Words (6+ letters) that occur in the body of exactly one decision and not in its title."""
    seen = {}
    for url, text in texts.items():
        for word in set(w.lower() for w in WORD.findall(text)):
            seen.setdefault(word, set()).add(url)
    picks = []
    for word, urls in sorted(seen.items()):
        if len(urls) != 1:
            continue
        url = next(iter(urls))
        if word in records[url]["title"].lower() or any(word in r["title"].lower() for r in records.values()):
            continue
        picks.append((word, url))
    # Spread over the log: a few words from different decisions.
    chosen, used = [], set()
    for word, url in sorted(picks, key=lambda p: (len(p[0]) % 7, p[0])):
        if url not in used:
            chosen.append((word, url))
            used.add(url)
        if len(chosen) == 3:
            break
    return chosen


def check_search(page, site, root, texts, expected):
    records = dict(decision_pages(root))
    page.goto((root / "index.html").as_uri())
    page.keyboard.press("/")
    if page.evaluate("document.activeElement && document.activeElement.id") != "search-input":
        fail(site, "pressing / does not focus the search box")
    words = unique_words(texts, records) + expected
    if not words:
        fail(site, "no word found that occurs in only one decision's body")
    for word, url in words:
        links, count = search(page, word)
        if url not in links:
            fail(site, f"searching “{word}” (only in the body of {url}) does not list it: {count} {links[:5]}")
    numbered = {r["number"]: url for url, r in records.items() if r.get("number") is not None}
    if numbered:
        n = 11 if 11 in numbered else sorted(numbered)[len(numbered) // 2]
        for query in (f"ADR-{n}", f"adr {n}", f"{n}"):
            links, count = search(page, query)
            if not links or links[0] != numbered[n]:
                fail(site, f"searching “{query}” does not put decision {n} ({numbered[n]}) first: {links[:3]}")
    return len(words)


def check_history(page, site, root):
    """A filter change is a history entry: Back shows every decision again."""
    page.goto((root / "index.html").as_uri())
    total = page.locator("table.decisions tbody tr[data-status]").count()
    chips = page.locator(".filters .chip[data-status]:not([data-status=''])")
    if chips.count() < 2:
        return  # one status only: a filter changes nothing
    chips.nth(chips.count() - 1).click()
    hidden = page.locator("table.decisions tbody tr[data-status][hidden]").count()
    if hidden == 0 or "status=" not in page.url:
        fail(site, f"clicking a status chip hid no row ({page.url})")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('status=')", timeout=5000)
    visible = page.locator("table.decisions tbody tr[data-status]:not([hidden])").count()
    if visible != total:
        fail(site, f"Back after a filter change shows {visible} of {total} decisions")
    page.goto((root / "index.html").as_uri() + "?status=bogus")
    visible = page.locator("table.decisions tbody tr[data-status]:not([hidden])").count()
    if visible != total:
        fail(site, f"index.html?status=bogus shows {visible} of {total} decisions")


def check_not_found(page, site, root):
    server = serve(root)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/repo/"
        response = page.goto(base + "a/b/c/missing.html")
        if response.status != 404:
            fail(site, f"the test server answered {response.status} for a missing page")
        page.wait_for_function("() => getComputedStyle(document.querySelector('.skip-link')).position === 'absolute'",
                               timeout=5000)
        index = page.evaluate("document.querySelector('.site-title').href")
        if index != base + "index.html":
            fail(site, f"404 at a nested path links the index as {index}, not {base}index.html")
    except Exception as error:  # noqa: BLE001 - reported as a failure with its message
        fail(site, f"404.html at a nested path has no stylesheet or broken links: {error}".splitlines()[0])
    finally:
        server.shutdown()


def check_axe(browser, site, root):
    """axe-core on the index, a decision page with a table of contents, follow-ups and 404."""
    records = decision_pages(root)
    decision = next((url for url, r in records if len(r.get("sections", [])) >= 3), records[0][0])
    axe = Axe()
    checked = 0
    for viewport, size in VIEWPORTS.items():
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport=size, color_scheme=scheme)
            for path in ("index.html", decision, "follow-ups.html", "404.html"):
                page.goto((root / path).as_uri())
                result = axe.run(page)
                checked += 1
                for v in result.response["violations"]:
                    if v["impact"] in ("serious", "critical"):
                        nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
                        fail(site, f"axe {v['impact']} {v['id']} on {path} ({viewport}, {scheme}): {v['help']} [{nodes}]")
            page.close()
    return checked


def screenshots(browser, root, out):
    out.mkdir(parents=True, exist_ok=True)
    records = decision_pages(root)
    decision = next((url for url, r in records if len(r.get("sections", [])) >= 5 and r.get("followUps")), records[0][0])
    for viewport, size in VIEWPORTS.items():
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport=size, color_scheme=scheme)
            for name, path in (("index", "index.html"), ("decision", decision)):
                page.goto((root / path).as_uri())
                page.wait_for_timeout(100)
                page.screenshot(path=str(out / f"{name}-{viewport}-{scheme}.png"))
            page.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", action="append", default=[], metavar="LABEL=DIR", help="a built site")
    parser.add_argument("--axe", action="append", default=[], metavar="LABEL", help="run axe-core on this site")
    parser.add_argument("--expect", action="append", default=[], metavar="LABEL:WORD=URL",
                        help="a word that must find the decision page URL")
    parser.add_argument("--screenshots", metavar="DIR", help="write screenshots of the first site into DIR")
    args = parser.parse_args()
    sites = [(s.split("=", 1)[0], Path(s.split("=", 1)[1]).resolve()) for s in args.site]
    if not sites:
        parser.error("no --site")
    expected = {}
    for e in args.expect:
        label, rest = e.split(":", 1)
        word, url = rest.split("=", 1)
        expected.setdefault(label, []).append((word, url))

    summary = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        if args.screenshots:
            screenshots(browser, sites[0][1], Path(args.screenshots))
        for label, root in sites:
            texts = {}
            page = browser.new_page(viewport=VIEWPORTS["phone"])
            check_widths(page, label, root, texts)
            page.set_viewport_size(VIEWPORTS["phone"])
            badges = check_badges(page, label, root)
            page.close()
            page = browser.new_page(viewport=VIEWPORTS["desktop"])
            page.set_default_timeout(10000)
            words = guarded(label, "search", lambda: check_search(page, label, root, texts, expected.get(label, [])))
            guarded(label, "filter history", lambda: check_history(page, label, root))
            check_not_found(page, label, root)
            page.close()
            axe = check_axe(browser, label, root) if label in args.axe else 0
            summary.append(f"{label}: {len(pages_of(root))} pages x 2 widths, {badges} badges, {words} body words"
                           + (f", axe on {axe} page views" if axe else ""))
        browser.close()
    print("\n".join(summary))
    print(f"{len(failures)} failed" if failures else "every check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
