"""`adrsite serve`: latency from an editor-style save to the `event: reload` at the client."""
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from .common import CheckFailed, SetupFailed
from .corpus import markdown_files


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
