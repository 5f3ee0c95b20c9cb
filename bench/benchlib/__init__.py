"""The modules of the adrsite benchmark harness; bench/run.py is the entry point.

- common:  paths, the two failures (CheckFailed, SetupFailed), progress log, number format
- targets: the performance targets, PASS/FAIL, the Targets table's rows
- env:     the machine, the tools installed, the git revision
- build:   `swift build -c release` of adrsite
- corpus:  the Markdown files of a log, generated corpora, the real log of ../shared/corpus
- check:   the correctness check of a built site
- hugo:    the minimal hugo site timed next to adrsite
- timing:  timed runs of the builds on one corpus, and of `adrsite --version`
- serve:   live-reload latency of `adrsite serve`
- search:  the search box timed in headless Chromium
- report:  the Markdown report
"""
