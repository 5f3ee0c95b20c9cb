"""The performance targets (issues 5 and 13), PASS/FAIL, and the rows of the report's Targets table."""
import statistics

from .common import fmt
from .corpus import REAL_LOG

# Ratios are medians of runs measured side by side in the same session.
TARGET_RATIO = {10000: 1.5, 1000: 2.0}     # adrsite build / cmark, by number of records (issue 13)
TARGET_RSS_MB = {10000: 300}               # adrsite build peak RSS
TARGET_REAL_LOG_RATIO = 4.0                # apache__james-project: adrsite build / cat its .md | cmark
TARGET_VERSION_MS = 20                     # adrsite --version, median of 20 runs
TARGET_RELOAD_MS = 100                     # serve: write -> `event: reload`, median
VERSION_RUNS = 20

REAL_LOG_TARGET = f"{REAL_LOG}: adrsite build ≤ {TARGET_REAL_LOG_RATIO:g}× `cat \\| cmark`"


def verdict(value, limit):
    if value is None:
        return "n/a"
    return "PASS" if value <= limit else "FAIL"


def cmark_ratio(tools):
    """adrsite's median over cmark's median on one corpus; None without cmark."""
    adrsite = next(t for t in tools if t.name == "adrsite")
    cmark = next((t for t in tools if t.name == "cmark" and t.times), None)
    return statistics.median(adrsite.times) / statistics.median(cmark.times) if cmark else None


def real_log_target(real):
    """The target row of the real log: `real` is its result (label, n, tools, disk), or why it was skipped."""
    if isinstance(real, str):
        return REAL_LOG_TARGET, real, "n/a"
    ratio = cmark_ratio(real[2])
    return REAL_LOG_TARGET, fmt(ratio, "{:.2f}", "no cmark"), verdict(ratio, TARGET_REAL_LOG_RATIO)


def collect_targets(results, version, reload, real):
    targets = []
    by_n = {n: (tools, disk) for _, n, tools, disk in results}
    for n in sorted(TARGET_RATIO, reverse=True):
        if n not in by_n:
            continue
        tools, _ = by_n[n]
        adrsite = next(t for t in tools if t.name == "adrsite")
        ratio = cmark_ratio(tools)
        targets.append((f"{n:,} records: adrsite build / cmark ≤ {TARGET_RATIO[n]}", fmt(ratio, "{:.2f}", "no cmark"),
                        verdict(ratio, TARGET_RATIO[n])))
        if n in TARGET_RSS_MB:
            targets.append((f"{n:,} records: adrsite build peak RSS ≤ {TARGET_RSS_MB[n]} MB",
                            fmt(adrsite.rss_mb, "{:.0f} MB", "no /usr/bin/time"),
                            verdict(adrsite.rss_mb, TARGET_RSS_MB[n])))
    if real is not None:
        targets.append(real_log_target(real))
    targets.append((f"`adrsite --version` ≤ {TARGET_VERSION_MS} ms (median of {VERSION_RUNS})",
                    f"{version[0][0]:.1f} ms", verdict(version[0][0], TARGET_VERSION_MS)))
    if reload:
        note = "" if reload[3] == 1000 else f" (target set for N=1,000; measured on N={reload[3]:,})"
        targets.append((f"serve reload ≤ {TARGET_RELOAD_MS} ms (median of {reload[2]}){note}",
                        f"{reload[0]:.1f} ms", verdict(reload[0], TARGET_RELOAD_MS)))
    return targets
