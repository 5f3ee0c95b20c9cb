"""Timing: every tool on one corpus (interleaved runs, peak RSS, the on-disk run), and `adrsite --version`."""
import re
import shlex
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from .check import check_site
from .common import GNU_TIME, CheckFailed, SetupFailed, log
from .corpus import decision_files, markdown_files
from .env import fs_type
from .hugo import hugo_site
from .targets import VERSION_RUNS


class Tool:
    """One command to time on one corpus; `out` is removed and re-created before each run."""

    def __init__(self, name, command, out, check=None, tag=""):
        self.name, self.command, self.out, self.check = name, command, Path(out), check
        self.log_name = slug(f"{name}-{tag}")     # logs/<log_name>.log (stderr), .time (GNU time)
        self.times = []
        self.rss_mb = self.cpu_s = None
        self.checked = None       # the summary of the last correctness check
        self.failed = None        # why the tool could not be timed (not a correctness failure)

    def prepare(self):
        shutil.rmtree(self.out, ignore_errors=True)
        self.out.mkdir(parents=True)

    def run(self, logs, under_time=False):
        """Runs once and returns the wall time in seconds (None when the command failed)."""
        self.prepare()
        command = self.command
        time_file = logs / f"{self.log_name}.time"
        if under_time:
            command = [GNU_TIME, "-v", "-o", str(time_file)] + command
        with open(logs / f"{self.log_name}.log", "wb") as err:
            start = time.perf_counter()
            code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=err).returncode
            elapsed = time.perf_counter() - start
        if code != 0:
            self.failed = f"exit status {code}, see {logs / (self.log_name + '.log')}"
            return None
        if under_time:
            report = time_file.read_text()
            rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
            cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report)
            self.rss_mb = int(rss.group(1)) / 1024 if rss else None
            self.cpu_s = sum(float(c) for c in cpu) if cpu else None
        if self.check:
            self.checked = self.check(self.out)
        return elapsed


def slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def bench_corpus(corpus, binary, args, work, logs, tools_available, cat_all=False):
    """Times every tool on one corpus, interleaved; returns (n, tools, disk tool). cmark reads
    `cat DIR/*.md`, or with `cat_all` every .md file of the corpus, named one by one."""
    md = decision_files(corpus)
    n = len(md)
    top_level = [f for f in md if "/" not in f]
    if n == 0:
        raise SetupFailed(f"no .md files in {corpus}")
    log(f"== corpus {corpus}: {n} .md files")
    check = lambda out: check_site(out, corpus, md)  # noqa: E731
    out_root = work / "out" / f"n{n}"
    tools = []
    if tools_available["cmark"] and cat_all:
        files = shlex.join(str(corpus / f) for f in markdown_files(corpus))
        tools.append(Tool("cmark", ["sh", "-c", f"cat -- {files} | cmark > /dev/null"],
                          out_root / "cmark", tag=f"n{n}"))
    elif tools_available["cmark"]:
        if len(top_level) != n:
            log(f"   note: cmark reads only the {len(top_level)} top-level .md files (cat DIR/*.md)")
        tools.append(Tool("cmark", ["sh", "-c", f"cat {shlex.quote(str(corpus))}/*.md | cmark > /dev/null"],
                          out_root / "cmark", tag=f"n{n}"))
    adrsite = Tool("adrsite", [binary, "build", str(corpus), "--output", str(out_root / "adrsite" / "site")],
                   out_root / "adrsite", check=lambda out: check(out / "site"), tag=f"n{n}")
    tools.append(adrsite)
    if tools_available["hugo"]:
        site = hugo_site(work / "hugo-sites" / f"n{n}-{slug(str(corpus))[-40:]}", corpus)
        tools.append(Tool("hugo", ["hugo", "--quiet", "-s", str(site), "-d", str(out_root / "hugo" / "site")],
                          out_root / "hugo", tag=f"n{n}"))

    # One run of each under /usr/bin/time -v: peak RSS and CPU time; it is the warm-up too.
    for tool in tools:
        log(f"   {tool.name}: warm-up{' under /usr/bin/time -v' if tools_available['time'] else ''}")
        tool.run(logs, under_time=tools_available["time"])
        if tool.failed and tool is adrsite:
            raise CheckFailed(f"adrsite build failed on {corpus}: {tool.failed}")
    for r in range(args.runs):
        live = [t for t in tools if not t.failed]
        shift = r % len(live)
        for tool in live[shift:] + live[:shift]:            # interleaved, order rotated each round
            elapsed = tool.run(logs)
            if elapsed is None and tool is adrsite:
                raise CheckFailed(f"adrsite build failed on {corpus}: {tool.failed}")
            if elapsed is not None:
                tool.times.append(elapsed)
        log(f"   run {r + 1}/{args.runs}: " + ", ".join(f"{t.name} {t.times[-1]:.3f} s" for t in live if t.times))
    log(f"   check after every adrsite build: {adrsite.checked}")

    # adrsite once more with its output on disk, cleaned up the same way.
    disk_out = Path(args.disk_dir) / f"n{n}"
    disk = Tool(f"adrsite, output on disk ({fs_type(args.disk_dir)} {args.disk_dir})",
                [binary, "build", str(corpus), "--output", str(disk_out / "site")], disk_out,
                check=lambda out: check(out / "site"), tag=f"n{n}")
    elapsed = disk.run(logs)
    if elapsed is None:
        raise CheckFailed(f"adrsite build with output on disk failed on {corpus}: {disk.failed}")
    disk.times.append(elapsed)
    shutil.rmtree(disk_out, ignore_errors=True)
    for tool in tools:
        shutil.rmtree(tool.out, ignore_errors=True)
    log(f"   disk: {elapsed:.3f} s")
    return n, tools, disk


def time_version(binary):
    """Median wall time of `adrsite --version` over VERSION_RUNS runs, and of /bin/true for scale."""
    def median_ms(command):
        subprocess.run(command, stdout=subprocess.DEVNULL)            # warm-up
        samples = []
        for _ in range(VERSION_RUNS):
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples), max(samples)
    return median_ms([binary, "--version"]), median_ms(["/bin/true"])
