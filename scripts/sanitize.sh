#!/bin/sh
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer.
#
#   scripts/sanitize.sh [address|thread]...      default: both, one after the other
#
# Each sanitizer builds into a folder of its own (.build-asan, .build-tsan), so the normal
# .build stays as it is. A finding fails the tests that hit it and the script exits non-zero.
set -eu
cd "$(dirname "$0")/.."
status=0
for sanitizer in ${*:-address thread}; do
    case $sanitizer in
        address) build=.build-asan ;;
        thread) build=.build-tsan ;;
        *) echo "usage: $0 [address|thread]..." >&2; exit 2 ;;
    esac
    echo "== swift test --sanitize=$sanitizer"
    # halt_on_error: the first finding ends the run, with its report, instead of scrolling by.
    if ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        swift test --sanitize="$sanitizer" --build-path "$build"; then
        echo "== $sanitizer: passed"
    else
        echo "== $sanitizer: FAILED" >&2
        status=1
    fi
done
exit $status
