"""Search: the size of the index and the time of a query in headless Chromium."""
import shutil
import subprocess

from .common import CheckFailed

SEARCH_FIRST = "rollout"          # the first query, which loads the index
SEARCH_QUERIES = ["kafka", "onboarding engineers", "p99 latency", "swift", "adr-11", "zzzz"]
SEARCH_TYPED = "onboarding"       # typed one key at a time: the per-keystroke time


def search_timing(binary, corpus, n, work):
    """Builds the site of `corpus`, then opens its index.html from file:// in headless Chromium
    (Python's playwright, Debian's chromium) and times the search box as a reader uses it: the
    first query (loading search.js and the index, preparing it, searching), each query of
    SEARCH_QUERIES, and each keystroke of SEARCH_TYPED. Times are the page's own measurements
    (performance.now() around the work, `data-*-ms` of `.search`), so the typing delay of a large
    log (120 ms after the last key) is not counted. Returns a dict, or None with a note."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "playwright missing (pip install playwright): no search timings"
    out = work / "out" / f"search-n{n}"
    shutil.rmtree(out, ignore_errors=True)
    if subprocess.run([binary, "build", str(corpus), "--output", str(out)], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        raise CheckFailed(f"adrsite build of {corpus} failed before the search timing")
    result = {"index_bytes": (out / "assets" / "search-index.js").stat().st_size,
              "engine_bytes": (out / "assets" / "search.js").stat().st_size,
              "page_bytes": (out / "index.html").stat().st_size}
    wait_results = """([query, before]) => new Promise(resolve => {
        const box = document.querySelector('.search');
        (function poll() {
          if (box.dataset.results !== undefined && box.dataset.results !== before
              && document.querySelector('.search-count').textContent.includes(query)) {
            resolve({results: +box.dataset.results, queryMs: +box.dataset.queryMs, loadMs: +(box.dataset.loadMs || 0),
                     prepareMs: +(box.dataset.prepareMs || 0), wallMs: performance.now() - window.__t0});
          } else { requestAnimationFrame(poll); }
        }());
      })"""

    def ask(page, query):
        # Marked first, so that the answer to this query is told from the one before.
        page.evaluate("""q => { const i = document.getElementById('search-input');
                          document.querySelector('.search').dataset.results = '-'; window.__t0 = performance.now();
                          i.focus(); i.value = q; i.dispatchEvent(new Event('input')); }""", query)
        return page.evaluate(wait_results, [query, "-"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto((out / "index.html").as_uri())
        first = ask(page, SEARCH_FIRST)
        result["first"] = first
        result["queries"] = {q: ask(page, q) for q in SEARCH_QUERIES}
        keys = []
        for k in range(1, len(SEARCH_TYPED) + 1):
            keys.append(ask(page, SEARCH_TYPED[:k])["queryMs"])
        result["keys"] = keys
        result["heap_mb"] = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null")
        browser.close()
    shutil.rmtree(out, ignore_errors=True)
    return result, None
