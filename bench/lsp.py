#!/usr/bin/env python3
"""Drives `infra lsp` over stdio and times diagnostics after edits.

Usage: lsp.py BIN PROJECT_DIR RUNS [--tokens]

Opens PROJECT_DIR/main.infra (written by bench/gen.py), waits for its diagnostics, then sends
a series of edits of different kinds and measures, per edit, the time from writing the
didChange to having read the last byte of the publishDiagnostics for that version: what the
server and the pipe cost. Decoding that JSON is the editor's work and is shown apart (the
"decode ms" column, this Python client's json.loads: ~20 ms for the 1.6 MB of 6,667
diagnostics, where an editor's native JSON parser takes a few). Uses incremental sync when the
server offers it, full text otherwise. Prints one line per edit kind: median and max in ms of
wall time, and the median CPU time the server spent (all its threads, from
/proc/PID/task/*/schedstat), which other load on the machine does not inflate; and the server's
peak resident memory at the end (what it keeps between edits included).
With --tokens, each didChange is followed at once by a semantic tokens request, as VS Code
does; the times are still the ones to the diagnostics (the CPU time may include part of the
tokens' work when the server has begun it by then).
"""
import json
import os
import statistics
import subprocess
import sys
import time


class Client:
    def __init__(self, binary):
        self.proc = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )
        self.next_id = 1
        self.answered = set()
        # When the last message read was complete, and how long decoding it took.
        self.received = 0.0
        self.decode_s = 0.0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        data = bytearray(length)
        view = memoryview(data)
        got = 0
        while got < length:
            n = self.proc.stdout.readinto(view[got:])
            if not n:
                raise RuntimeError("server closed its output")
            got += n
        self.received = time.perf_counter()
        msg = json.loads(data)
        self.decode_s = time.perf_counter() - self.received
        if "id" in msg and "method" not in msg:
            self.answered.add(msg["id"])
        return msg

    def request(self, method, params):
        rid = self.send_request(method, params)
        while True:
            msg = self.read()
            if msg.get("id") == rid and "method" not in msg:
                return msg

    def send_request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def wait_answer(self, rid):
        while rid not in self.answered:
            self.read()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, version):
        while True:
            msg = self.read()
            if msg.get("method") != "textDocument/publishDiagnostics":
                continue
            p = msg["params"]
            if p["uri"] == uri and p.get("version") == version:
                return p["diagnostics"]

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def cpu_ns(pid):
    """CPU time of every thread of a process so far, in nanoseconds (0 where unavailable)."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
    except OSError:
        pass
    return total


def peak_rss_mib(pid):
    """The peak resident memory of a process so far, in MiB (0 where unavailable)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0


def position(text, offset):
    """LSP position (UTF-16 columns; the generated text is ASCII) of a byte offset."""
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return {"line": line, "character": col}


def edits(text):
    """(kind, start, end, new) replacements applied in sequence; each pair leaves the text
    as it found it so the series can repeat."""
    lines = text.split("\n")
    mid = len(lines) // 2
    # The `input = ...` line of a resource near the middle.
    while not lines[mid].startswith("  input"):
        mid += 1
    line_start = sum(len(l) + 1 for l in lines[:mid])
    name_at = line_start + lines[mid].index('}-') + 2
    upstream_at = line_start + lines[mid].index("upstream = [") + len("upstream = [")
    let_at = text.index("let prefix") + len("let prefix")
    out_at = text.index("\noutput last") + 1
    new_res = 'resource extra: core.data {\n  input = { name = "extra" }\n}\n'
    return [
        ("string", name_at, name_at, "x"),
        ("string", name_at, name_at + 1, ""),
        ("error", upstream_at, upstream_at, "nosuch.output.name, "),
        ("fix", upstream_at, upstream_at + len("nosuch.output.name, "), ""),
        ("add", out_at, out_at, new_res),
        ("remove", out_at, out_at + len(new_res), ""),
        ("rename-let", let_at, let_at, "2"),
        ("rename-back", let_at, let_at + 1, ""),
    ]


def main():
    binary, project, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    tokens = "--tokens" in sys.argv[4:]
    path = os.path.abspath(os.path.join(project, "main.infra"))
    uri = "file://" + path
    with open(path) as f:
        text = f.read()
    c = Client(binary)
    init = c.request(
        "initialize",
        {"processId": None, "rootUri": "file://" + os.path.abspath(project), "capabilities": {}},
    )
    sync = init["result"]["capabilities"].get("textDocumentSync")
    if isinstance(sync, dict):
        sync = sync.get("change")
    incremental = sync == 2
    c.notify("initialized", {})
    version = 1
    t0 = time.perf_counter()
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "infra", "version": version, "text": text}},
    )
    c.wait_diagnostics(uri, version)
    open_ms = (time.perf_counter() - t0) * 1000
    times = {}
    cpus = {}
    decodes = {}
    counts = {}
    for _ in range(runs):
        for kind, start, end, new in edits(text):
            version += 1
            if incremental:
                change = {
                    "range": {"start": position(text, start), "end": position(text, end)},
                    "text": new,
                }
            text = text[:start] + new + text[end:]
            if not incremental:
                change = {"text": text}
            cpu0 = cpu_ns(c.proc.pid)
            t0 = time.perf_counter()
            c.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            if tokens:
                rid = c.send_request(
                    "textDocument/semanticTokens/full", {"textDocument": {"uri": uri}}
                )
            diags = c.wait_diagnostics(uri, version)
            times.setdefault(kind, []).append((c.received - t0) * 1000)
            cpus.setdefault(kind, []).append((cpu_ns(c.proc.pid) - cpu0) / 1e6)
            decodes.setdefault(kind, []).append(c.decode_s * 1000)
            if tokens:
                c.wait_answer(rid)
            counts[kind] = len(diags)
    peak = peak_rss_mib(c.proc.pid)
    c.close()
    lines = text.count("\n")
    mode = "incremental" if incremental else "full"
    extra = ", semantic tokens asked after each edit" if tokens else ""
    print(f"{lines} lines, {mode} sync{extra}, open {open_ms:.1f} ms, peak RSS {peak:.0f} MiB")
    print(
        f"{'edit':>12} {'median ms':>10} {'max ms':>8} {'cpu ms':>7} {'diags':>6} {'decode ms':>10}"
    )
    for kind, ts in times.items():
        cpu = statistics.median(cpus[kind])
        dec = statistics.median(decodes[kind])
        print(
            f"{kind:>12} {statistics.median(ts):>10.1f} {max(ts):>8.1f} {cpu:>7.1f} {counts[kind]:>6}"
            f" {dec:>10.1f}"
        )
    alls = [t for ts in times.values() for t in ts]
    allc = [t for ts in cpus.values() for t in ts]
    print(
        f"{'all':>12} {statistics.median(alls):>10.1f} {max(alls):>8.1f} {statistics.median(allc):>7.1f}"
    )


main()
