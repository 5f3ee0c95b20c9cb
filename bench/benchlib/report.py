"""The Markdown report: environment, builds, start-up and live reload, search, targets."""
import statistics

from .common import fmt
from .corpus import REAL_LOG
from .search import SEARCH_QUERIES, SEARCH_TYPED
from .targets import (TARGET_RATIO, TARGET_REAL_LOG_RATIO, TARGET_RELOAD_MS, TARGET_RSS_MB, TARGET_VERSION_MS,
                      VERSION_RUNS, verdict)


def search_report(searches):
    out = ["", "## Search in the page (headless Chromium, file://)", "",
           "The index is `assets/search-index.js` (one entry per decision with the plain text of its body), "
           "loaded with the search engine `assets/search.js` on the first use of the box. First query = load "
           "and parse both scripts, prepare the index (fold case and accents), search and draw the results. "
           "Query and keystroke times are the engine's own (search + first 20 results drawn), without the "
           "typing delay of large logs.", "",
           "| N | search-index.js MB | first query ms (load + prepare + search) | query ms, median / max of "
           f"{len(SEARCH_QUERIES)} | per keystroke ms, median / max of {len(SEARCH_TYPED)} | JS heap MB |",
           "|---:|---:|---:|---:|---:|---:|"]
    for n, (r, note) in searches:
        if r is None:
            out.append(f"| {n:,} | {note} | | | | |")
            continue
        q = [v["queryMs"] for v in r["queries"].values()]
        f = r["first"]
        out.append(f"| {n:,} | {r['index_bytes'] / 1048576:.2f} | {f['wallMs']:.0f} ({f['loadMs']:.0f} + {f['prepareMs']:.0f} + "
                   f"{f['queryMs']:.0f}) | {statistics.median(q):.0f} / {max(q):.0f} | "
                   f"{statistics.median(r['keys']):.0f} / {max(r['keys']):.0f} | {fmt(r['heap_mb'], '{:.0f}')} |")
    return out


def report(env, results, version, reload, targets, searches=(), real=None):
    """The whole report; `real` is the real log's result (label, n, tools, disk), or why it was skipped."""
    out = ["# adrsite benchmark", ""]
    out += [f"- {key}: {value}" for key, value in env]
    out += ["", "## Builds", "",
            "Median and min of the timed runs (interleaved with the other tools); peak RSS and CPU time from one "
            "more run under `/usr/bin/time -v`. cmark = `cat DIR/*.md | cmark > /dev/null` (parse limit, "
            f"writes nothing; for the real log {REAL_LOG}, `cat` of each of its .md files); "
            "records/s = N / median.", "",
            "| corpus | N | tool | median s | min s | max s | runs | records/s | adrsite/cmark | peak RSS MB | CPU s | target |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    rows = [(result, False) for result in results] + ([(real, True)] if isinstance(real, tuple) else [])
    for (label, n, tools, disk), is_real in rows:
        cmark = next((t for t in tools if t.name == "cmark" and t.times), None)
        for tool in tools + [disk]:
            if tool.failed and not tool.times:
                out.append(f"| {label} | {n:,} | {tool.name} | failed: {tool.failed} | | | | | | | | |")
                continue
            median = statistics.median(tool.times)
            ratio = median / statistics.median(cmark.times) if cmark and tool.name.startswith("adrsite") else None
            notes = [f"failed once: {tool.failed}"] if tool.failed else []
            if tool.name == "adrsite" and is_real:
                notes.append(f"ratio ≤ {TARGET_REAL_LOG_RATIO:g}: {verdict(ratio, TARGET_REAL_LOG_RATIO)}")
            elif tool.name == "adrsite":
                if n in TARGET_RATIO:
                    notes.append(f"ratio ≤ {TARGET_RATIO[n]}: {verdict(ratio, TARGET_RATIO[n])}")
                if n in TARGET_RSS_MB:
                    notes.append(f"RSS ≤ {TARGET_RSS_MB[n]} MB: {verdict(tool.rss_mb, TARGET_RSS_MB[n])}")
            out.append(f"| {label} | {n:,} | {tool.name} | {median:.3f} | {min(tool.times):.3f} | "
                       f"{max(tool.times):.3f} | {len(tool.times)} | {n / median:,.0f} | {fmt(ratio, '{:.2f}')} | "
                       f"{fmt(tool.rss_mb, '{:.0f}')} | {fmt(tool.cpu_s, '{:.2f}')} | {'; '.join(notes)} |")
    if isinstance(real, str):
        out.append(f"| {REAL_LOG} | – | adrsite | n/a: {real} | | | | | | | | |")
    out += ["", "## Start-up and live reload", "",
            "| measure | median ms | max ms | runs | target |", "|---|---:|---:|---:|---|"]
    (v_median, v_max), (t_median, t_max) = version
    out.append(f"| `adrsite --version` | {v_median:.1f} | {v_max:.1f} | {VERSION_RUNS} | "
               f"≤ {TARGET_VERSION_MS} ms: {verdict(v_median, TARGET_VERSION_MS)} |")
    out.append(f"| `/bin/true` (cost of starting a process from the harness) | {t_median:.1f} | {t_max:.1f} | "
               f"{VERSION_RUNS} | |")
    if reload:
        r_median, r_max, r_runs, r_n, notes = reload
        out.append(f"| serve: save → `event: reload` (N={r_n:,}) | {r_median:.1f} | {r_max:.1f} | {r_runs} | "
                   f"≤ {TARGET_RELOAD_MS} ms (median): {verdict(r_median, TARGET_RELOAD_MS)} |")
        out += [""] + [f"- serve: {note}" for note in notes]
    if searches:
        out += search_report(searches)
    out += ["", "## Targets", "", "| target | measured | result |", "|---|---:|---|"]
    out += [f"| {name} | {measured} | {result} |" for name, measured, result in targets]
    counts = {k: sum(1 for t in targets if t[2] == k) for k in ("PASS", "FAIL", "n/a")}
    out += ["", f"{counts['PASS']} PASS, {counts['FAIL']} FAIL, {counts['n/a']} not measured. "
                "Every build passed the correctness check."]
    return "\n".join(out) + "\n"
