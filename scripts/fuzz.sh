#!/bin/sh
# Fuzz adrsite with libFuzzer: the Markdown of ADR files through load → parse → link → render,
# or, with --templates, the theme loader and the template renderers.
#
#   scripts/fuzz.sh [--templates] [SECONDS] [libFuzzer options…]      default: 60 seconds
#
# Builds Sources/ADRFuzz with -sanitize=fuzzer,address into .build-fuzz and runs on one core for
# the given time. The Markdown target is seeded with every Markdown fixture of the project
# (Tests/**/*.md, site/*.md); the templates target with every template of the default theme and
# of the test fixtures, and the templates of the Mustache specification's test files. The
# corpus grows in .build-fuzz/corpus (or corpus-templates), kept between runs; a crash, a leak
# or a timeout stops the run with a non-zero status and leaves the input as .build-fuzz/crash-*,
# leak-* or timeout-*: reproduce it with
#   .build-fuzz/release/ADRFuzz .build-fuzz/crash-…
# (with ADRFUZZ_TARGET=templates in the environment for an input of the templates target).
set -eu
cd "$(dirname "$0")/.."
target=markdown
if [ "${1:-}" = "--templates" ]; then target=templates; shift; fi
seconds=${1:-60}
[ $# -gt 0 ] && shift
build=.build-fuzz

swift build -c release --build-path "$build" --product ADRFuzz \
    -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
    -Xswiftc -enable-experimental-feature -Xswiftc Extern

root="$build/empty-adr-dir"
mkdir -p "$root"
if [ "$target" = templates ]; then
    seeds="$build/seeds-templates"
    corpus="$build/corpus-templates"
    dict=fuzz/templates.dict
    rm -rf "$seeds"
    mkdir -p "$seeds" "$corpus"
    # Each template as one input, named by its file (`@name` line first).
    find templates Tests -type f -name '*.mustache' | sort | {
        n=0
        while IFS= read -r f; do
            n=$((n + 1))
            { printf '@%s\n' "$(basename "$f" .mustache)"; cat "$f"; } > "$seeds/$n.mustache"
        done
    }
    python3 - "$seeds" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for spec in sorted(pathlib.Path("Tests/ADRSiteTests/Fixtures/mustache-spec").glob("*.json")):
    for k, test in enumerate(json.loads(spec.read_text())["tests"]):
        parts = ["@index\n" + test["template"]]
        parts += ["@%s\n%s" % (name, text) for name, text in sorted(test.get("partials", {}).items())[:3]]
        (out / ("spec-%s-%d.mustache" % (spec.stem, k))).write_bytes("\n\0\0\n".join(parts).encode())
PY
else
    seeds="$build/seeds"
    corpus="$build/corpus"
    dict=fuzz/adr.dict
    rm -rf "$seeds"
    mkdir -p "$seeds" "$corpus"
    find Tests site -type f \( -name '*.md' -o -name '*.markdown' \) | sort | {
        n=0
        while IFS= read -r f; do n=$((n + 1)); cp "$f" "$seeds/$n.md"; done
    }
fi

ADRFUZZ_TARGET="$target" ADRFUZZ_ROOT="$(pwd)/$root" ASAN_OPTIONS=detect_leaks=1 \
    "$build/release/ADRFuzz" "$corpus" "$seeds" \
    -dict="$dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/" -print_final_stats=1 "$@"
