#!/usr/bin/env python3
"""adrsite benchmark harness (issue 5).

Builds adrsite in release mode, times `adrsite build` next to `cat *.md | cmark` (the parse
limit) and hugo (when installed) on generated ADR corpora, checks that every build is
complete, times `adrsite --version` and the live-reload latency of `adrsite serve`, and prints
a Markdown table with the targets and PASS/FAIL.

    python3 bench/run.py                 # full run: N = 1,000 and 10,000, 5 runs each
    python3 bench/run.py --quick         # N = 1,000 only, 3 runs
    python3 bench/run.py --binary .build/release/adrsite --corpus ~/my-adrs --out result.md

Python 3 standard library only. Uses /usr/bin/time (Debian `time`) for peak RSS, `cmark` and
`hugo` when installed; installs nothing and says what is missing. See bench/README.md.

Exit status: 0 when every measurement ran (also when a performance target FAILs: they are
reported, not hidden); 1 when a correctness check failed (a build that is fast but incomplete
must not pass); 2 when the harness could not run (adrsite does not build, no corpus, ...).
"""
import argparse
import datetime
import html
import json
import os
import platform
import queue
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

REPO = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"

# Targets (issue 5). Ratios are medians of runs measured side by side in the same session.
TARGET_RATIO = {10000: 1.0, 1000: 1.5}     # adrsite build / cmark, by number of records
TARGET_RSS_MB = {10000: 300}               # adrsite build peak RSS
TARGET_VERSION_MS = 20                     # adrsite --version, median of 20 runs
TARGET_RELOAD_MS = 100                     # serve: write -> `event: reload`, median
VERSION_RUNS = 20


class CheckFailed(Exception):
    """A correctness check failed: the output of a build is not the whole site."""


class SetupFailed(Exception):
    """The harness cannot run (adrsite does not build, no corpus, ...)."""


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Environment


def have(tool):
    return shutil.which(tool) is not None


def fs_type(path):
    """File system type of the mount that holds `path` (from /proc/mounts), e.g. 'tmpfs'."""
    path = os.path.realpath(path)
    best, kind = "", "?"
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                point = fields[1].replace("\\040", " ")
                inside = path == point or path.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fields[2]
    except OSError:
        pass
    return kind


def first_line(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def describe_machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem = f"{mem / 1048576:.1f} GiB RAM"
    except (OSError, StopIteration):
        mem = "? RAM"
    return f"nproc={os.cpu_count()}, {model}, {mem}, kernel {platform.release()}"


def git_revision():
    head = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    try:
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        dirty = ""
    return head + (" + uncommitted changes" if dirty else "")


# ---------------------------------------------------------------------------------------------
# adrsite and the corpora


def build_adrsite(scratch_path):
    """The release build as it is shipped: `swift build -c release --static-swift-stdlib` (the
    Swift runtime and Foundation linked in, so the binary starts without ~50 shared libraries;
    needs Debian's libcurl4-openssl-dev), with --scratch-path when given; returns the binary."""
    command = ["swift", "build", "-c", "release", "--static-swift-stdlib"]
    if scratch_path:
        command += ["--scratch-path", scratch_path]
    log(f"== building adrsite: {shlex.join(command)} (in {REPO})")
    if subprocess.run(command, cwd=REPO, stdout=sys.stderr).returncode != 0:
        raise SetupFailed(f"`{shlex.join(command)}` failed")
    bin_dir = subprocess.run(command + ["--show-bin-path"], cwd=REPO, capture_output=True,
                             text=True).stdout.strip()
    binary = Path(bin_dir) / "adrsite"
    if not binary.is_file():
        raise SetupFailed(f"no binary at {binary} after the build")
    return str(binary)


def markdown_files(directory):
    """Markdown files of a corpus, relative paths, hidden folders and files left out."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        rel = os.path.relpath(root, directory)
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                found.append(name if rel == "." else f"{rel}/{name}")
    return sorted(found)


def generated_corpus(generator, work, n):
    """The corpus `gen_adrs.py DIR --count N --seed 1`, generated once and kept in WORK/corpora."""
    directory = work / "corpora" / f"n{n}-seed1"
    stamp = work / "corpora" / f"n{n}-seed1.stamp"
    want = f"{generator} --count {n} --seed 1 (size {generator.stat().st_size}, mtime {generator.stat().st_mtime})"
    if directory.is_dir() and stamp.is_file() and stamp.read_text() == want:
        return directory
    log(f"== generating {n} ADRs into {directory}")
    shutil.rmtree(directory, ignore_errors=True)
    directory.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(generator), str(directory), "--count", str(n), "--seed", "1"],
                   check=True, stdout=sys.stderr)
    stamp.write_text(want)
    return directory


# ---------------------------------------------------------------------------------------------
# Correctness check of a build


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def check_site(out, corpus_dir, md_files):
    """Checks that the build in `out` is the whole site; returns a one-line summary.

    - decisions.json has exactly one record per .md file of the corpus (its `source`), ids unique;
    - every record has its page `<id>.html`, not empty, showing the record's title;
    - index.html links to every one of those pages.
    Raises CheckFailed with the first problems found.
    """
    problems = []

    def fail():
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise CheckFailed(f"incomplete site in {out} (corpus {corpus_dir}):\n  - " + "\n  - ".join(shown))

    try:
        records = json.loads((out / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    except (OSError, ValueError, KeyError) as error:
        problems.append(f"cannot read decisions.json: {error}")
        fail()
    if len(records) != len(md_files):
        problems.append(f"decisions.json has {len(records)} records, the corpus {len(md_files)} .md files")
    sources = [r.get("source") for r in records]
    missing = sorted(set(md_files) - set(sources))
    extra = sorted(set(sources) - set(md_files))
    problems += [f"no record for {m}" for m in missing[:5]] + [f"record for unknown file {e}" for e in extra[:5]]
    ids = [r.get("id") for r in records]
    if len(set(ids)) != len(ids):
        problems.append(f"{len(ids) - len(set(ids))} duplicate ids in decisions.json")
    for record in records:
        page = out / f"{record.get('id')}.html"
        try:
            text = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"page {page.name} of {record.get('source')}: {error.__class__.__name__}")
            continue
        title = record.get("title") or ""
        if not text.strip():
            problems.append(f"page {page.name} is empty")
        elif title and not any(t in text for t in (title, html.escape(title, quote=False), html.escape(title))) \
                and title not in html.unescape(text):
            problems.append(f"page {page.name} does not show its title {title!r}")
    if problems:
        fail()

    index = out / "index.html"
    try:
        parser = LinkCollector()
        parser.feed(index.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"cannot read index.html: {error}")
        fail()
    linked = set()
    for href in parser.hrefs:
        target = urlsplit(urljoin("http://site/index.html", href))
        if target.netloc == "site":
            linked.add(unquote(target.path.lstrip("/")))
    unlinked = [f"{i}.html" for i in ids if f"{i}.html" not in linked]
    if unlinked:
        problems.append(f"index.html links to {len(ids) - len(unlinked)} of {len(ids)} pages; "
                        f"not to {', '.join(unlinked[:5])}{' ...' if len(unlinked) > 5 else ''}")
        fail()
    return f"{len(records)} records = {len(md_files)} .md files, {len(ids)} pages, all linked from index.html"


# ---------------------------------------------------------------------------------------------
# Timing


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


def hugo_site(site, corpus):
    """A minimal hugo site like shared/bench/peers.sh: one page per ADR, an index with a status
    badge from front matter, and a link hook that turns NNNN-x.md links into links between pages."""
    layouts = site / "layouts" / "_default"
    (layouts / "_markup").mkdir(parents=True, exist_ok=True)
    (site / "config.toml").write_text(f"""baseURL = "http://example.org/"
title = "ADRs"
contentDir = {json.dumps(str(corpus))}
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
buildFuture = true
[markup.goldmark.renderer]
unsafe = true
""")
    (layouts / "single.html").write_text("""<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><p><a href="{{ "/" | relURL }}">All decisions</a></p>{{ .Content }}</body></html>
""")
    (layouts / "list.html").write_text("""<!doctype html><html><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1><ul>
{{ range sort .Site.RegularPages "File.BaseFileName" }}<li><a href="{{ .RelPermalink }}">{{ .File.BaseFileName }}</a>{{ with .Params.status }} <span class="badge">{{ . }}</span>{{ end }}</li>
{{ end }}</ul></body></html>
""")
    (layouts / "_markup" / "render-link.html").write_text(
        """{{- $u := .Destination -}}{{- if strings.HasSuffix $u ".md" -}}{{- $u = printf "../%s/" (strings.TrimSuffix ".md" $u) -}}{{- end -}}
<a href="{{ $u | safeURL }}">{{ .Text | safeHTML }}</a>
""")
    return site


def bench_corpus(corpus, binary, args, work, logs, tools_available):
    """Times every tool on one corpus, interleaved; returns (n, tools, disk tool)."""
    # Every .md file is a decision, except a top-level README.md or index.md (the log's front page).
    md = [f for f in markdown_files(corpus) if f.lower() not in ("readme.md", "index.md", "_index.md")]
    n = len(md)
    top_level = [f for f in md if "/" not in f]
    if n == 0:
        raise SetupFailed(f"no .md files in {corpus}")
    log(f"== corpus {corpus}: {n} .md files")
    check = lambda out: check_site(out, corpus, md)  # noqa: E731
    out_root = work / "out" / f"n{n}"
    tools = []
    if tools_available["cmark"]:
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


# ---------------------------------------------------------------------------------------------
# serve: reload latency


class EventStream:
    """Reads server-sent events from a raw socket (the body is chunked: chunk sizes are decoded)."""

    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
                          f"Cache-Control: no-cache\r\n\r\n".encode())
        self.raw = b""        # bytes received, not yet decoded
        self.body = b""       # decoded body, not yet split into events
        self.chunk_left = 0   # bytes left in the current chunk
        self.need_crlf = False
        self.closed = False
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in self.raw:
            self._receive(deadline)
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        if " 200" not in status:
            raise SetupFailed(f"{path}: {status}")
        self.chunked = b"transfer-encoding: chunked" in head.lower()
        self._decode()

    def _receive(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            raise ConnectionError("the server closed the event stream")
        self.raw += data

    def _decode(self):
        if not self.chunked:
            self.body, self.raw = self.body + self.raw, b""
            return
        while self.raw:
            if self.need_crlf:
                if len(self.raw) < 2:
                    return
                self.raw, self.need_crlf = self.raw[2:], False
            if self.chunk_left == 0:
                end = self.raw.find(b"\r\n")
                if end < 0:
                    return
                size = int(self.raw[:end].split(b";")[0], 16)
                self.raw = self.raw[end + 2:]
                if size == 0:
                    self.closed = True
                    return
                self.chunk_left = size
            part = self.raw[:self.chunk_left]
            self.body += part
            self.raw = self.raw[len(part):]
            self.chunk_left -= len(part)
            if self.chunk_left == 0:
                self.need_crlf = True

    def next_event(self, timeout):
        """The next (event name, data, arrival time) within `timeout` seconds; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            self.body = self.body.replace(b"\r\n", b"\n")
            if b"\n\n" in self.body:
                block, self.body = self.body.split(b"\n\n", 1)
                name, data = "message", []
                for line in block.decode("utf-8", "replace").split("\n"):
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].removeprefix(" "))
                if data:
                    return name, "\n".join(data), time.perf_counter()
                continue            # a comment or `retry:` only
            self._receive(deadline)
            self._decode()

    def close(self):
        self.sock.close()


def edited(text, round_number):
    """The text with one word of its first long prose line changed (a new word every round)."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":                        # skip YAML front matter
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    for i in range(start, len(lines)):
        words = lines[i].split(" ")
        plain = [j for j in range(1, len(words)) if words[j].isalpha()]
        if lines[i][:1].isalpha() and len(words) >= 8 and plain:
            words[plain[0]] = f"edited{round_number}"
            lines[i] = " ".join(words)
            return "\n".join(lines)
    return text + f"\nedited{round_number}\n"


def reload_latency(binary, corpus, work, runs):
    """Median and max milliseconds from an editor-style save to `event: reload`, and notes."""
    notes = []
    base = Path(tempfile.mkdtemp(prefix="serve-", dir=work))
    copy = base / "adr"
    shutil.copytree(corpus, copy)
    files = [f for f in markdown_files(copy) if "/" not in f] or markdown_files(copy)
    picks = [files[int(i * (len(files) - 1) / 4)] for i in range(5)]    # five files across the log
    originals = {name: (copy / name).read_text(encoding="utf-8") for name in picks}

    server = subprocess.Popen([binary, "serve", str(copy), "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, bufsize=1)
    lines = queue.Queue()      # every stdout line, drained at once so the pipe never fills

    def drain(stream, tag):
        for line in stream:
            lines.put((tag, line.rstrip("\n"), time.perf_counter()))
    for stream, tag in ((server.stdout, "out"), (server.stderr, "err")):
        threading.Thread(target=drain, args=(stream, tag), daemon=True).start()

    events = None
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None:
            try:
                tag, line, _ = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise SetupFailed("adrsite serve printed no `Serving ... at http://...` line in 120 s")
            match = re.search(r"Serving .* at (http://[^\s/]+)/", line)
            if match:
                url = match.group(1)
            elif tag == "err" or server.poll() is not None:
                raise SetupFailed(f"adrsite serve: {line}")
        host, port = urlsplit(url).hostname, urlsplit(url).port
        events = EventStream(host, port, "/__adrsite/events")
        name = None
        while name != "state":
            name, _, _ = events.next_event(timeout=30)

        latencies, rebuilds, extra_reloads = [], [], 0
        for r in range(runs):
            target = copy / picks[r % len(picks)]
            new_text = edited(originals[picks[r % len(picks)]], r)
            temporary = target.with_name(f".{target.name}.bench-tmp")
            start = time.perf_counter()
            temporary.write_text(new_text, encoding="utf-8")
            os.replace(temporary, target)
            while True:
                try:
                    name, data, arrived = events.next_event(timeout=10)
                except TimeoutError:
                    raise CheckFailed(f"adrsite serve sent no `event: reload` within 10 s after {target.name} "
                                      "was rewritten")
                if name == "reload":
                    latencies.append((arrived - start) * 1000)
                    break
            # Let the server settle; a second reload for the same save is counted, not timed.
            try:
                while True:
                    name, _, _ = events.next_event(timeout=0.3)
                    extra_reloads += name == "reload"
            except TimeoutError:
                pass
            while not lines.empty():
                tag, line, _ = lines.get()
                match = re.match(r"rebuilt in ([\d.]+) ms", line)
                if match:
                    rebuilds.append(float(match.group(1)))
        if extra_reloads:
            notes.append(f"{extra_reloads} extra `event: reload` after saves (not timed)")
        if rebuilds:
            notes.append(f"server-side rebuild (its own `rebuilt in` lines): median "
                         f"{statistics.median(rebuilds):.1f} ms over {len(rebuilds)} rebuilds")
        return statistics.median(latencies), max(latencies), len(latencies), notes
    finally:
        if events:
            events.close()
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                notes.append("serve did not stop within 10 s of SIGINT; killed")
                server.kill()
                server.wait()
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Search: the size of the index and the time of a query in headless Chromium

SEARCH_FIRST = "rollout"          # the first query, which loads the index
SEARCH_QUERIES = ["kafka", "onboarding engineers", "p99 latency", "swift", "adr-11", "zzzz"]
SEARCH_TYPED = "onboarding"       # typed one key at a time: the per-keystroke time


def search_timing(binary, corpus, n, work):
    """Builds the site of `corpus`, then opens its index.html from file:// in headless Chromium
    (Python's playwright, Debian's chromium) and times the search box as a reader uses it: the
    first query (loading search.js and the index, preparing it, searching), each query of
    SEARCH_QUERIES, and each keystroke of SEARCH_TYPED. Times are the page's own measurements
    (performance.now() around the work, `data-*-ms` of `.search`), so the typing delay of a large
    log (120 ms after the last key) is not counted. Returns a dict, or None with a note."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "playwright missing (pip install playwright): no search timings"
    out = work / "out" / f"search-n{n}"
    shutil.rmtree(out, ignore_errors=True)
    if subprocess.run([binary, "build", str(corpus), "--output", str(out)], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        raise CheckFailed(f"adrsite build of {corpus} failed before the search timing")
    result = {"index_bytes": (out / "assets" / "search-index.js").stat().st_size,
              "engine_bytes": (out / "assets" / "search.js").stat().st_size,
              "page_bytes": (out / "index.html").stat().st_size}
    wait_results = """([query, before]) => new Promise(resolve => {
        const box = document.querySelector('.search');
        (function poll() {
          if (box.dataset.results !== undefined && box.dataset.results !== before
              && document.querySelector('.search-count').textContent.includes(query)) {
            resolve({results: +box.dataset.results, queryMs: +box.dataset.queryMs, loadMs: +(box.dataset.loadMs || 0),
                     prepareMs: +(box.dataset.prepareMs || 0), wallMs: performance.now() - window.__t0});
          } else { requestAnimationFrame(poll); }
        }());
      })"""

    def ask(page, query):
        # Marked first, so that the answer to this query is told from the one before.
        page.evaluate("""q => { const i = document.getElementById('search-input');
                          document.querySelector('.search').dataset.results = '-'; window.__t0 = performance.now();
                          i.focus(); i.value = q; i.dispatchEvent(new Event('input')); }""", query)
        return page.evaluate(wait_results, [query, "-"])

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto((out / "index.html").as_uri())
        first = ask(page, SEARCH_FIRST)
        result["first"] = first
        result["queries"] = {q: ask(page, q) for q in SEARCH_QUERIES}
        keys = []
        for k in range(1, len(SEARCH_TYPED) + 1):
            keys.append(ask(page, SEARCH_TYPED[:k])["queryMs"])
        result["keys"] = keys
        result["heap_mb"] = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null")
        browser.close()
    shutil.rmtree(out, ignore_errors=True)
    return result, None


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


# ---------------------------------------------------------------------------------------------
# Report


def verdict(value, limit):
    if value is None:
        return "n/a"
    return "PASS" if value <= limit else "FAIL"


def fmt(value, pattern="{:.3f}", missing="–"):
    return missing if value is None else pattern.format(value)


def report(env, results, version, reload, targets, searches=()):
    out = ["# adrsite benchmark", ""]
    out += [f"- {key}: {value}" for key, value in env]
    out += ["", "## Builds", "",
            "Median and min of the timed runs (interleaved with the other tools); peak RSS and CPU time from one "
            "more run under `/usr/bin/time -v`. cmark = `cat DIR/*.md | cmark > /dev/null` (parse limit, "
            "writes nothing); records/s = N / median.", "",
            "| corpus | N | tool | median s | min s | max s | runs | records/s | adrsite/cmark | peak RSS MB | CPU s | target |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for label, n, tools, disk in results:
        cmark = next((t for t in tools if t.name == "cmark" and t.times), None)
        for tool in tools + [disk]:
            if tool.failed and not tool.times:
                out.append(f"| {label} | {n:,} | {tool.name} | failed: {tool.failed} | | | | | | | | |")
                continue
            median = statistics.median(tool.times)
            ratio = median / statistics.median(cmark.times) if cmark and tool.name.startswith("adrsite") else None
            notes = [f"failed once: {tool.failed}"] if tool.failed else []
            if tool.name == "adrsite":
                if n in TARGET_RATIO:
                    notes.append(f"ratio ≤ {TARGET_RATIO[n]}: {verdict(ratio, TARGET_RATIO[n])}")
                if n in TARGET_RSS_MB:
                    notes.append(f"RSS ≤ {TARGET_RSS_MB[n]} MB: {verdict(tool.rss_mb, TARGET_RSS_MB[n])}")
            out.append(f"| {label} | {n:,} | {tool.name} | {median:.3f} | {min(tool.times):.3f} | "
                       f"{max(tool.times):.3f} | {len(tool.times)} | {n / median:,.0f} | {fmt(ratio, '{:.2f}')} | "
                       f"{fmt(tool.rss_mb, '{:.0f}')} | {fmt(tool.cpu_s, '{:.2f}')} | {'; '.join(notes)} |")
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


def collect_targets(results, version, reload):
    targets = []
    by_n = {n: (tools, disk) for _, n, tools, disk in results}
    for n in sorted(TARGET_RATIO, reverse=True):
        if n not in by_n:
            continue
        tools, _ = by_n[n]
        adrsite = next(t for t in tools if t.name == "adrsite")
        cmark = next((t for t in tools if t.name == "cmark" and t.times), None)
        ratio = statistics.median(adrsite.times) / statistics.median(cmark.times) if cmark else None
        targets.append((f"{n:,} records: adrsite build / cmark ≤ {TARGET_RATIO[n]}", fmt(ratio, "{:.2f}", "no cmark"),
                        verdict(ratio, TARGET_RATIO[n])))
        if n in TARGET_RSS_MB:
            targets.append((f"{n:,} records: adrsite build peak RSS ≤ {TARGET_RSS_MB[n]} MB",
                            fmt(adrsite.rss_mb, "{:.0f} MB", "no /usr/bin/time"),
                            verdict(adrsite.rss_mb, TARGET_RSS_MB[n])))
    targets.append((f"`adrsite --version` ≤ {TARGET_VERSION_MS} ms (median of {VERSION_RUNS})",
                    f"{version[0][0]:.1f} ms", verdict(version[0][0], TARGET_VERSION_MS)))
    if reload:
        note = "" if reload[3] == 1000 else f" (target set for N=1,000; measured on N={reload[3]:,})"
        targets.append((f"serve reload ≤ {TARGET_RELOAD_MS} ms (median of {reload[2]}){note}",
                        f"{reload[0]:.1f} ms", verdict(reload[0], TARGET_RELOAD_MS)))
    return targets


# ---------------------------------------------------------------------------------------------


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

    targets = collect_targets(results, version, reload)
    text = report(env, results, version, reload, targets, searches)
    print(text, end="")
    if args.out:
        Path(args.out).write_text(text)
        log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
