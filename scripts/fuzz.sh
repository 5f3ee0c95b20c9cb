#!/bin/sh
# Fuzz adrsite's load → parse → link → render path with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS] [libFuzzer options…]      default: 60 seconds
#
# Builds Sources/ADRFuzz with -sanitize=fuzzer,address into .build-fuzz, seeds the corpus with
# every Markdown fixture of the project (Tests/**/*.md, site/*.md), and runs on one core for the
# given time. The corpus grows in .build-fuzz/corpus (kept between runs); a crash, a leak or a
# timeout stops the run with a non-zero status and leaves the input as .build-fuzz/crash-*,
# leak-* or timeout-*: reproduce it with
#   .build-fuzz/release/ADRFuzz .build-fuzz/crash-…
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
build=.build-fuzz

swift build -c release --build-path "$build" --product ADRFuzz \
    -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
    -Xswiftc -enable-experimental-feature -Xswiftc Extern

seeds="$build/seeds"
corpus="$build/corpus"
root="$build/empty-adr-dir"
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$root"
find Tests site -type f \( -name '*.md' -o -name '*.markdown' \) | sort | {
    n=0
    while IFS= read -r f; do n=$((n + 1)); cp "$f" "$seeds/$n.md"; done
}

ADRFUZZ_ROOT="$(pwd)/$root" ASAN_OPTIONS=detect_leaks=1 \
    "$build/release/ADRFuzz" "$corpus" "$seeds" \
    -dict=fuzz/adr.dict -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$build/" -print_final_stats=1 "$@"
