#!/usr/bin/env python3
"""`adrsite serve` under load: wrk requests pages while ADR files are rewritten.

    scripts/serve-load.py [--bin PATH] [--seconds 30] [--rebuilds 500] [--records 100]
                          [--hostile] [--fd-limit N]

Writes a log of RECORDS decisions, each linking to its neighbours, into a temporary folder and
serves it on a free port. For SECONDS, wrk (Debian's `wrk`) requests the index and decision
pages on loopback (scripts/serve-load.lua checks every response: status 200, a whole page, and
one revision per decision in it), while this script rewrites the first ten records in turn,
each time with a new revision number in the title and the body, and waits for the reload event
of that rebuild. It goes on rewriting until REBUILDS rebuilds are done, and reads the server's
resident memory (VmRSS) after the first 50 and after the last.

With --hostile, clients that misbehave run beside wrk the whole time: each round sends a 1 MB
header (431 expected), keeps up to five heads that never end (408 expected after 10 s), opens
and drops an event stream, and opens ten kept-alive connections that it holds and never uses
again (the server closes them after 5 s, or sooner when descriptors run short). With
--fd-limit N, serve runs under `ulimit -n N`, so that those connections exhaust it.

Exits 1 when a request failed, a page was cut short or mixed two builds, a rebuild did not
announce itself within 10 s, or memory grew by more than 10% + 16 MB between the two readings;
with --hostile also when a misbehaving client did not get its answer, a connection was refused,
or serve holds more sockets 6 s after the end than before the start.
"""
import argparse
import http.client
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def record(n, rev, count):
    links = []
    if n > 1:
        links.append(f"[the previous decision]({n - 1:04d}-decision-{n - 1}.md)")
    if n < count:
        links.append(f"[the next one]({n + 1:04d}-decision-{n + 1}.md)")
    body = "\n\n".join(f"Paragraph {i} of k{n}rev{rev}: the service keeps its state in one place." for i in range(40))
    return (f"# {n}. Decision {n} k{n}rev{rev}\n\nDate: 2024-01-{n % 28 + 1:02d}\n\n## Status\n\nAccepted\n\n"
            f"## Context\n\nSee {' and '.join(links)}.\n\n{body}\n\n## Decision\n\nWe do k{n}rev{rev}.\n\n"
            f"## Follow-Up Actions\n\n1. Review k{n}rev{rev} in a year.\n")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Events(threading.Thread):
    """Counts `reload` events of the server's event stream."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.reloads = 0
        self.closed = False
        self.cond = threading.Condition()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("GET", "/__adrsite/events")
        resp = conn.getresponse()
        while True:
            line = resp.fp.readline()
            if not line:
                with self.cond:
                    self.closed = True
                    self.cond.notify_all()
                return
            if line.strip() == b"event: reload":
                with self.cond:
                    self.reloads += 1
                    self.cond.notify_all()

    def wait_for(self, count, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while self.reloads < count and not self.closed:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return self.reloads >= count


class Hostile(threading.Thread):
    """Misbehaving clients, in rounds, until `done` is set (see --hostile above)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.done = threading.Event()
        self.slow = []
        self.held = []
        self.n = dict(big=0, big431=0, slow=0, slow408=0, slow_unanswered=0, streams=0, held=0, held_closed=0,
                      errors=0)
        self.first_error = ""

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    @staticmethod
    def status(s):
        """The status of the response on `s`, read whole (by its Content-Length)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"\r\nContent-Length: (\d+)", head, re.I)
        while length and len(body) < int(length.group(1)):
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        m = re.match(rb"HTTP/1\.1 (\d+)", head)
        return int(m.group(1)) if m else 0

    def run(self):
        while not self.done.is_set():
            try:
                self.round()
            except OSError as e:
                self.n["errors"] += 1
                self.first_error = self.first_error or repr(e)
            time.sleep(0.05)
        for s in self.held + [s for s, _ in self.slow]:
            s.close()

    def round(self):
        big = self.connect()
        self.n["big"] += 1
        try:
            big.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
        except OSError:
            pass  # the server stops reading once it has answered 431
        self.n["big431"] += self.status(big) == 431
        big.close()

        if len(self.slow) < 5:
            s = self.connect()
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            self.slow.append((s, time.time()))
            self.n["slow"] += 1
        for s, started in list(self.slow):
            if select.select([s], [], [], 0)[0]:
                self.n["slow408"] += self.status(s) == 408
            elif time.time() - started < 15:
                try:
                    s.sendall(b"X-Slow: one line a round\r\n")
                except OSError:
                    pass
                continue
            else:
                self.n["slow_unanswered"] += 1
            s.close()
            self.slow.remove((s, started))

        stream = self.connect()
        stream.sendall(b"GET /__adrsite/events HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"retry:" not in data:
            chunk = stream.recv(4096)
            if not chunk:
                raise OSError("event stream closed before its first event")
            data += chunk
        stream.close()
        self.n["streams"] += 1

        for s in [s for s in self.held if select.select([s], [], [], 0)[0]]:
            s.close()
            self.held.remove(s)
            self.n["held_closed"] += 1
        for _ in range(10):
            s = self.connect()
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            if self.status(s) != 200:
                raise OSError("a kept-alive page view got no 200")
            self.held.append(s)
            self.n["held"] += 1


def open_sockets(pid):
    """Sockets the process has open (the runtime opens other descriptors, timers, as it goes)."""
    fds = f"/proc/{pid}/fd"
    return sum(os.readlink(os.path.join(fds, f)).startswith("socket:") for f in os.listdir(fds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", ".build", "release", "adrsite"))
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--rebuilds", type=int, default=500)
    ap.add_argument("--records", type=int, default=100)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--hostile", action="store_true", help="misbehaving clients beside wrk")
    ap.add_argument("--fd-limit", type=int, help="run serve under ulimit -n N")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk)")

    work = tempfile.mkdtemp(prefix="adrsite-load-")
    adr = os.path.join(work, "adr")
    os.makedirs(adr)
    names = {n: f"{n:04d}-decision-{n}.md" for n in range(1, args.records + 1)}
    revs = {n: 0 for n in names}
    for n, name in names.items():
        with open(os.path.join(adr, name), "w") as f:
            f.write(record(n, 0, args.records))

    command = [args.bin, "serve", adr, "--port", "0"]
    if args.fd_limit:
        command = ["/bin/sh", "-c", f"ulimit -n {args.fd_limit} && exec \"$0\" \"$@\""] + command
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failures = []
    try:
        port = None
        for line in server.stdout:
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            sys.exit("serve did not start: " + server.stderr.read())
        warnings = []
        threading.Thread(target=lambda: [warnings.append(l) for l in server.stdout if l.startswith("warning:")],
                         daemon=True).start()
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
        events = Events(port)
        events.start()
        time.sleep(0.3)
        files_before = open_sockets(server.pid)
        hostile = Hostile(port) if args.hostile else None
        if hostile:
            hostile.start()

        paths = ["/", "/index.html"] + [f"/{n:04d}-decision-{n}.html" for n in range(1, 12)] + ["/follow-ups.html"]
        env = dict(os.environ, ADRSITE_LOAD_PATHS=",".join(paths))
        wrk = subprocess.Popen(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s",
                                "-s", os.path.join(HERE, "serve-load.lua"), f"http://127.0.0.1:{port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        rebuilds = under_load = 0
        rss_start = None
        durations = []
        samples = []
        while wrk.poll() is None or rebuilds < args.rebuilds:
            n = rebuilds % 10 + 1
            revs[n] += 1
            started = time.time()
            path = os.path.join(adr, names[n])
            with open(path + ".tmp", "w") as f:
                f.write(record(n, revs[n], args.records))
            os.replace(path + ".tmp", path)
            if not events.wait_for(rebuilds + 1, 10):
                closed = " (serve closed the event stream)" if events.closed else ""
                failures.append(f"no reload event within 10 s after rewrite {rebuilds + 1}{closed}")
                break
            durations.append(time.time() - started)
            rebuilds += 1
            if wrk.poll() is None:
                under_load = rebuilds
            if rebuilds == 50:
                rss_start = rss_kb(server.pid)
            if rebuilds % 500 == 0:
                samples.append((rebuilds, rss_kb(server.pid)))
        rss_end = rss_kb(server.pid)
        out = wrk.communicate()[0]
        if hostile:
            hostile.done.set()
            hostile.join(30)
            time.sleep(6)  # the idle timeout (5 s) and the lingering close (2 s) of what it left
            files_after = open_sockets(server.pid)
        result = re.search(r"RESULT (.*)", out)
        latency = re.search(r"Latency\s+(\S+)", out)
        rps = re.search(r"Requests/sec:\s+(\S+)", out)
        fields = dict(kv.split("=", 1) for kv in result.group(1).split(" ")) if result else {}
        errors = sum(int(fields.get(k, "1")) for k in ("non200", "truncated", "mixed", "connect", "read", "write",
                                                        "timeout", "status"))
        durations.sort()
        print(f"wrk: {fields.get('requests', '?')} requests in {args.seconds} s ({rps.group(1) if rps else '?'}/s, "
              f"mean latency {latency.group(1) if latency else '?'}), {fields.get('checked', '?')} pages checked, "
              f"{errors} errors (non-200 {fields.get('non200')}, cut short {fields.get('truncated')}, "
              f"mixed builds {fields.get('mixed')}, socket {fields.get('connect')}/{fields.get('read')}/"
              f"{fields.get('write')}/{fields.get('timeout')})")
        if durations:
            print(f"rebuilds: {rebuilds} ({under_load} under load), write to reload event: median "
                  f"{durations[len(durations) // 2] * 1000:.1f} ms, max {durations[-1] * 1000:.1f} ms")
        if rss_start:
            print(f"serve RSS: {rss_start / 1024:.1f} MB after 50 rebuilds, {rss_end / 1024:.1f} MB after {rebuilds}"
                  + "".join(f"; {kb / 1024:.1f} MB after {n}" for n, kb in samples))
        if hostile:
            n = hostile.n
            print(f"hostile: {n['big']} 1 MB heads ({n['big431']} answered 431), {n['slow']} endless heads "
                  f"({n['slow408']} answered 408, {n['slow_unanswered']} unanswered after 15 s, the rest cut short "
                  f"at the end), {n['streams']} event streams opened and dropped, {n['held']} kept-alive connections "
                  f"held ({n['held_closed']} closed by serve), {n['errors']} refused or failed; serve's sockets: "
                  f"{files_before} before, {files_after} 6 s after")
            for line in warnings[:3]:
                print("serve said: " + line.rstrip())
            if n["big431"] != n["big"] or n["slow_unanswered"] or not n["slow408"] or n["errors"]:
                failures.append(f"a misbehaving client did not get its answer ({hostile.first_error})")
            if files_after > files_before:
                failures.append(f"serve holds {files_after} sockets after the run, {files_before} before")
        if not result:
            failures.append("wrk gave no result:\n" + out)
        elif errors:
            failures.append(f"{errors} failed or inconsistent responses (first mixed page: {fields.get('first_mixed')})")
        if rss_start and rss_end > rss_start * 1.10 + 16 * 1024:
            failures.append(f"memory grew from {rss_start} kB to {rss_end} kB")
        if server.poll() is not None:
            failures.append(f"serve exited with {server.returncode}")
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            failures.append("serve did not stop on SIGTERM")
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
