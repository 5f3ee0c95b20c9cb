#!/usr/bin/env python3
"""Compares adrsite binaries on one decision log: interleaved builds, medians of wall and CPU time.

    python3 bench/ab.py LOG RUNS OLD_BINARY NEW_BINARY [MORE_BINARIES...]

Each round builds LOG once with every binary (the order reversed every other round), output on
/dev/shm; CPU time is the child's user + system time. Prints each binary's median wall and CPU
time and their change against the first binary. Runs of one binary vary by about 15% on a
shared 2-core machine, so a change of a few percent needs 20 or more rounds.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    log, runs, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    out = f"/dev/shm/adrsite-ab-{os.getpid()}"
    walls = {b: [] for b in binaries}
    cpus = {b: [] for b in binaries}
    try:
        for r in range(runs):
            for b in (binaries if r % 2 == 0 else list(reversed(binaries))):
                shutil.rmtree(out, ignore_errors=True)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run([b, "build", log, "--output", out],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if done.returncode != 0:
                    sys.exit(f"{b} build {log} failed with exit status {done.returncode}")
                walls[b].append(wall)
                cpus[b].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    base_wall = statistics.median(walls[binaries[0]])
    base_cpu = statistics.median(cpus[binaries[0]])
    print(f"{log}: {runs} interleaved rounds, medians")
    for b in binaries:
        wall, cpu = statistics.median(walls[b]), statistics.median(cpus[b])
        print(f"  {b}: wall {wall * 1000:.1f} ms ({(wall / base_wall - 1) * 100:+.1f}%), "
              f"CPU {cpu * 1000:.1f} ms ({(cpu / base_cpu - 1) * 100:+.1f}%), "
              f"wall min {min(walls[b]) * 1000:.1f} max {max(walls[b]) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
