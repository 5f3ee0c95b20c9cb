#!/usr/bin/env bash
# Builds the same logs with two adrsite binaries and compares every output file and the
# diagnostics byte for byte: site/, every log of ../shared/corpus/, every fixture folder of the tests and a generated log
# of 1,000 records. Prints one line per log and a summary; exits 1 when anything differs.
#
#   scripts/compare-output.sh OLD_BINARY NEW_BINARY [--keep DIR] [--logs "site corpus gen"]
#
# A redesign that must not change the output runs this against the binary of the commit before
# it; a listed fix shows up as the differences it explains (`--keep` leaves both trees to read).
set -euo pipefail
cd "$(dirname "$0")/.."

old=${1:?usage: compare-output.sh OLD_BINARY NEW_BINARY [--keep DIR]}
new=${2:?usage: compare-output.sh OLD_BINARY NEW_BINARY [--keep DIR]}
shift 2
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --keep) keep=$2; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/adrsite-compare.XXXXXX")
if [ -n "$keep" ]; then work=$keep; mkdir -p "$work"; else trap 'rm -rf "$work"' EXIT; fi

logs=()
logs+=("site=site")
corpus=../shared/corpus
if [ -d "$corpus" ]; then
    for dir in "$corpus"/*/; do
        name=$(basename "$dir")
        # Each corpus folder holds the ADR directory's files at its top.
        logs+=("$name=$dir")
    done
fi
# The test fixtures: every convention and every broken and hostile case the tests know.
for dir in Tests/ADRCoreTests/Fixtures/*/ Tests/ADRSiteTests/Fixtures/*/; do
    [ -d "$dir" ] && logs+=("$(echo "$dir" | cut -d/ -f2)-$(basename "$dir")=$dir")
done
gen=$work/gen1k
if [ -f ../shared/bench/gen_adrs.py ]; then
    python3 ../shared/bench/gen_adrs.py "$gen" --count 1000 --seed 1 >/dev/null
    logs+=("gen1k=$gen")
fi

differ=0
total_files=0
for entry in "${logs[@]}"; do
    name=${entry%%=*}
    dir=${entry#*=}
    for side in old new; do
        bin=$old; [ $side = new ] && bin=$new
        out=$work/$side/$name
        rm -rf "$out"; mkdir -p "$work/$side"
        # Diagnostics and the summary line, with the output path made the same on both sides.
        "$bin" build "$dir" --output "$out" >"$work/$side/$name.stdout" 2>"$work/$side/$name.stderr" || true
        sed -i "s#$work/$side/#OUT/#g" "$work/$side/$name.stdout" "$work/$side/$name.stderr"
    done
    files=$(cd "$work/old/$name" 2>/dev/null && find . -type f | wc -l || echo 0)
    total_files=$((total_files + files))
    changed=$(diff -rq "$work/old/$name" "$work/new/$name" 2>&1 | wc -l || true)
    diag=same
    if ! cmp -s "$work/old/$name.stderr" "$work/new/$name.stderr" || ! cmp -s "$work/old/$name.stdout" "$work/new/$name.stdout"; then
        diag=differ
    fi
    if [ "$changed" -eq 0 ] && [ $diag = same ]; then
        printf '%-45s %6d files identical, diagnostics identical\n' "$name" "$files"
    else
        differ=1
        printf '%-45s %6d files, %d differ; diagnostics %s\n' "$name" "$files" "$changed" "$diag"
        { diff -rq "$work/old/$name" "$work/new/$name" 2>&1 || true; } | head -5 | sed 's/^/    /'
    fi
done
echo "compared ${#logs[@]} logs, $total_files files: $([ $differ = 0 ] && echo 'all identical' || echo 'DIFFERENCES')"
[ -n "$keep" ] && echo "trees kept in $work/old and $work/new"
exit $differ
