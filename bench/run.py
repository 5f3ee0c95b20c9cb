#!/usr/bin/env python3
"""adrsite benchmark harness (issue 5).

Builds adrsite in release mode, times `adrsite build` next to `cat *.md | cmark` (the parse
limit) and hugo (when installed) on generated ADR corpora, checks that every build is
complete, times `adrsite --version` and the live-reload latency of `adrsite serve`, and prints
a Markdown table with the targets and PASS/FAIL. It also times the largest real log of
../shared/corpus (apache__james-project) against `cat` of its .md files piped to cmark.

    python3 bench/run.py                 # full run: N = 1,000 and 10,000, 5 runs each
    python3 bench/run.py --quick         # N = 1,000 (and the real log) only, 3 runs
    python3 bench/run.py --binary .build/release/adrsite --corpus ~/my-adrs --out result.md

Python 3 standard library only. Uses /usr/bin/time (Debian `time`) for peak RSS, `cmark` and
`hugo` when installed; installs nothing and says what is missing. See bench/README.md; the
work itself is in bench/benchlib/ (one module per job, listed in its __init__.py).

Exit status: 0 when every measurement ran (also when a performance target FAILs: they are
reported, not hidden); 1 when a correctness check failed (a build that is fast but incomplete
must not pass); 2 when the harness could not run (adrsite does not build, no corpus, ...).
"""
import argparse
import datetime
import os
import sys
from pathlib import Path

from benchlib.build import build_adrsite
from benchlib.common import GNU_TIME, REPO, CheckFailed, SetupFailed, log
from benchlib.corpus import REAL_LOG, REAL_LOG_DIR, generated_corpus
from benchlib.env import describe_machine, first_line, fs_type, git_revision, have
from benchlib.report import report
from benchlib.search import search_timing
from benchlib.serve import reload_latency
from benchlib.targets import collect_targets
from benchlib.timing import bench_corpus, time_version


def real_log(args, binary, work, logs, tools_available):
    """Times the real log like the other corpora, cmark reading each of its .md files; returns
    (label, n, tools, disk), or why it was not timed (its rows are then n/a)."""
    if args.no_james:
        return "skipped (--no-james)"
    directory = Path(args.james)
    if not directory.is_dir():
        log(f"note: no folder {directory}: the {REAL_LOG} row is n/a")
        return f"no folder {directory}"
    n, tools, disk = bench_corpus(directory.resolve(), binary, args, work, logs, tools_available, cat_all=True)
    return REAL_LOG, n, tools, disk


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="time this adrsite binary instead of building one")
    parser.add_argument("--scratch-path", help="pass --scratch-path to `swift build` (e.g. .build-bench)")
    parser.add_argument("--corpus", action="append", metavar="DIR",
                        help="an ADR directory to time (repeatable); instead of the generated corpora")
    parser.add_argument("--generator", default=str(REPO / ".." / "shared" / "bench" / "gen_adrs.py"),
                        help="gen_adrs.py (default: ../shared/bench/gen_adrs.py relative to the repository)")
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes to generate (default 1000,10000)")
    parser.add_argument("--runs", type=int, help="timed runs per tool and corpus (default 5; 3 with --quick)")
    parser.add_argument("--reload-runs", type=int, default=20, help="saves timed in the serve test (default 20)")
    parser.add_argument("--quick", action="store_true", help="N=1,000 only and 3 runs, for development")
    parser.add_argument("--work-dir", default="/dev/shm/adrsite-bench",
                        help="corpora, tool configs and every tool's output (default /dev/shm/adrsite-bench, tmpfs)")
    parser.add_argument("--disk-dir", default="/tmp/adrsite-bench-disk",
                        help="output of the one adrsite run on disk (default /tmp/adrsite-bench-disk)")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve reload test")
    parser.add_argument("--no-search", action="store_true", help="skip the search timing in headless Chromium")
    parser.add_argument("--james", metavar="DIR", default=str(REAL_LOG_DIR),
                        help=f"the real log {REAL_LOG} (default: ../shared/corpus/{REAL_LOG} relative to "
                             "the repository; its row is n/a when the folder is absent)")
    parser.add_argument("--no-james", action="store_true", help=f"skip the row of the real log {REAL_LOG}")
    parser.add_argument("--out", metavar="FILE", help="also write the Markdown report to FILE")
    args = parser.parse_args()
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.runs < 1 or args.reload_runs < 1:
        parser.error("--runs and --reload-runs must be at least 1")
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]

    tools_available = {"cmark": have("cmark"), "hugo": have("hugo"), "time": os.access(GNU_TIME, os.X_OK)}
    missing = {"cmark": "cmark (apt-get install cmark): no parse baseline, no adrsite/cmark ratio",
               "hugo": "hugo (apt-get install hugo): no hugo rows",
               "time": "/usr/bin/time (apt-get install time): no peak RSS or CPU time"}
    for tool, ok in tools_available.items():
        if not ok:
            log(f"missing: {missing[tool]}")

    work = Path(args.work_dir)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    Path(args.disk_dir).mkdir(parents=True, exist_ok=True)
    if fs_type(work) != "tmpfs":
        log(f"warning: {work} is on {fs_type(work)}, not tmpfs: file creation will dominate the timings")

    try:
        binary = os.path.abspath(args.binary) if args.binary else build_adrsite(args.scratch_path)
        if args.corpus:
            corpora = [Path(c).resolve() for c in args.corpus]
            for c in corpora:
                if not c.is_dir():
                    raise SetupFailed(f"--corpus {c}: not a directory")
        else:
            generator = Path(args.generator).resolve()
            if not generator.is_file():
                raise SetupFailed(f"no corpus generator at {generator}; pass --generator PATH or --corpus DIR")
            corpora = [generated_corpus(generator, work, n) for n in sizes]

        env = [("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
               ("machine", describe_machine()),
               ("adrsite", f"{first_line([binary, '--version'])} ({binary}"
                           + (")" if args.binary else f", built from {git_revision()})")),
               ("cmark", first_line(["cmark", "--version"]) if tools_available["cmark"] else "missing"),
               ("hugo", first_line(["hugo", "version"]) if tools_available["hugo"] else "missing"),
               ("output", f"{work} ({fs_type(work)}); on-disk run: {args.disk_dir} ({fs_type(args.disk_dir)})"),
               ("runs", f"{args.runs} timed runs per tool and corpus, after one warm-up run")]
        for tool, ok in tools_available.items():
            if not ok:
                env.append(("missing", missing[tool]))

        results = []
        for corpus in corpora:
            n, tools, disk = bench_corpus(corpus, binary, args, work, logs, tools_available)
            label = "gen_adrs seed 1" if not args.corpus else corpus.name
            results.append((label, n, tools, disk))

        real = real_log(args, binary, work, logs, tools_available)

        log("== adrsite --version")
        version = time_version(binary)

        searches = []
        if not args.no_search:
            for corpus, (_, n, _, _) in zip(corpora, results):
                log(f"== search in headless Chromium, N={n}")
                searches.append((n, search_timing(binary, corpus, n, work)))

        reload = None
        if not args.no_serve:
            sizes_seen = {n: c for c, (_, n, _, _) in zip(corpora, results)}
            n = 1000 if 1000 in sizes_seen else min(sizes_seen)
            log(f"== serve reload latency on N={n}, {args.reload_runs} saves")
            r_median, r_max, r_runs, notes = reload_latency(binary, sizes_seen[n], work, args.reload_runs)
            reload = (r_median, r_max, r_runs, n, notes)
    except CheckFailed as failure:
        log(f"\nCORRECTNESS CHECK FAILED: {failure}")
        log("The build is incomplete; its timings mean nothing. Exit status 1.")
        return 1
    except SetupFailed as failure:
        log(f"\nbenchmark could not run: {failure}")
        return 2

    targets = collect_targets(results, version, reload, real)
    text = report(env, results, version, reload, targets, searches, real)
    print(text, end="")
    if args.out:
        Path(args.out).write_text(text)
        log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
