#!/usr/bin/env python3
"""Drives `infra lsp` over stdio and times diagnostics after edits.

Usage: lsp.py BIN PROJECT_DIR RUNS [--tokens] [--vs OTHER_BIN] [--value-reads | --typed-reads]

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
With --vs, a second server (another build) gets the same edits, the two taking turns edit by
edit (who goes first alternating by round): this machine's speed drifts by a third from one
minute to the next, so only such paired runs compare. It prints both medians and the median
of the per-edit ratios B/A.
With --value-reads, every resource reads the `let` as a whole value (`name = prefix`) rather
than inside a string (`name = "${prefix}-N"`); with --typed-reads, every resource is a resource
group whose `location` is the `let` (only the `let` is edited then): changing its type to a
number makes 6,667 errors, each resource checked again.
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
    let_at = text.index("let prefix") + len("let prefix")
    value_at = text.index("let prefix = ") + len("let prefix = ")
    value = text[value_at : text.index("\n", value_at)]
    let_edits = [
        ("rename-let", let_at, let_at, "2"),
        ("rename-back", let_at, let_at + 1, ""),
        ("retype-let", value_at, value_at + len(value), "1"),
        ("retype-back", value_at, value_at + 1, value),
    ]
    if "\n  input" not in text:
        return let_edits
    lines = text.split("\n")
    mid = len(lines) // 2
    # The `input = ...` line of a resource near the middle.
    while not lines[mid].startswith("  input"):
        mid += 1
    line_start = sum(len(l) + 1 for l in lines[:mid])
    name_at = line_start + lines[mid].index('}-') + 2
    upstream_at = line_start + lines[mid].index("upstream = [") + len("upstream = [")
    out_at = text.index("\noutput last") + 1
    new_res = 'resource extra: core.data {\n  input = { name = "extra" }\n}\n'
    return [
        ("string", name_at, name_at, "x"),
        ("string", name_at, name_at + 1, ""),
        ("error", upstream_at, upstream_at, "nosuch.output.name, "),
        ("fix", upstream_at, upstream_at + len("nosuch.output.name, "), ""),
        ("add", out_at, out_at, new_res),
        ("remove", out_at, out_at + len(new_res), ""),
    ] + let_edits


class Session:
    """One server with the project's main.infra open, edited in step with any other."""

    def __init__(self, binary, project, tokens):
        self.tokens = tokens
        path = os.path.abspath(os.path.join(project, "main.infra"))
        self.uri = "file://" + path
        with open(path) as f:
            self.text = f.read()
        self.c = Client(binary)
        init = self.c.request(
            "initialize",
            {"processId": None, "rootUri": "file://" + os.path.abspath(project), "capabilities": {}},
        )
        sync = init["result"]["capabilities"].get("textDocumentSync")
        if isinstance(sync, dict):
            sync = sync.get("change")
        self.incremental = sync == 2
        self.c.notify("initialized", {})
        self.version = 1
        t0 = time.perf_counter()
        self.c.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": self.uri,
                    "languageId": "infra",
                    "version": self.version,
                    "text": self.text,
                }
            },
        )
        self.c.wait_diagnostics(self.uri, self.version)
        self.open_ms = (time.perf_counter() - t0) * 1000

    def edit(self, start, end, new):
        """Applies one replacement; returns (wall ms, server CPU ms, decode ms, diagnostics)."""
        c = self.c
        self.version += 1
        if self.incremental:
            change = {
                "range": {"start": position(self.text, start), "end": position(self.text, end)},
                "text": new,
            }
        self.text = self.text[:start] + new + self.text[end:]
        if not self.incremental:
            change = {"text": self.text}
        cpu0 = cpu_ns(c.proc.pid)
        t0 = time.perf_counter()
        c.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]},
        )
        if self.tokens:
            rid = c.send_request(
                "textDocument/semanticTokens/full", {"textDocument": {"uri": self.uri}}
            )
        diags = c.wait_diagnostics(self.uri, self.version)
        wall = (c.received - t0) * 1000
        cpu = (cpu_ns(c.proc.pid) - cpu0) / 1e6
        decode = c.decode_s * 1000
        if self.tokens:
            c.wait_answer(rid)
        return wall, cpu, decode, len(diags)

    def close(self):
        """Ends the server; returns its peak resident memory in MiB."""
        peak = peak_rss_mib(self.c.proc.pid)
        self.c.close()
        return peak


def value_reads(project, typed):
    """A copy of the project whose resources read the `let` as a value: in their `core.data`
    input, or (typed) as the `location` of resource groups, which must be a string."""
    import re
    import tempfile

    with open(os.path.join(project, "main.infra")) as f:
        text = f.read()
    if typed:
        text = re.sub(
            r"resource r(\d+): core\.data \{\n  input = .*\n",
            r'resource r\1: azure.resource_group {\n  name = "rg-\1", location = prefix\n',
            text,
        )
        text = re.sub(r"output last = r(\d+)\.output\.name", r"output last = r\1.name", text)
    else:
        text = re.sub(
            r'name = "\$\{prefix\}-(\d+)"', r'name = prefix, n = "${environment}-\1"', text
        )
    out = tempfile.mkdtemp()
    with open(os.path.join(out, "main.infra"), "w") as f:
        f.write(text)
    return out


def main():
    args = sys.argv[1:]
    tokens = "--tokens" in args
    vs = None
    if "--vs" in args:
        vs = args[args.index("--vs") + 1]
    binary, project, runs = args[0], args[1], int(args[2])
    if "--value-reads" in args or "--typed-reads" in args:
        project = value_reads(project, "--typed-reads" in args)
    sessions = [Session(binary, project, tokens)]
    if vs:
        sessions.append(Session(vs, project, tokens))
    # results[i][kind] = list of (wall, cpu, decode, diags) for session i
    results = [{} for _ in sessions]
    for run in range(runs):
        for kind, start, end, new in edits(sessions[0].text):
            # Alternate who goes first, so that neither always follows the other's work.
            order = range(len(sessions)) if run % 2 == 0 else reversed(range(len(sessions)))
            for i in order:
                results[i].setdefault(kind, []).append(sessions[i].edit(start, end, new))
    peaks = [s.close() for s in sessions]
    lines = sessions[0].text.count("\n")
    mode = "incremental" if sessions[0].incremental else "full"
    extra = ", semantic tokens asked after each edit" if tokens else ""
    med = statistics.median
    if not vs:
        print(
            f"{lines} lines, {mode} sync{extra}, open {sessions[0].open_ms:.1f} ms, peak RSS {peaks[0]:.0f} MiB"
        )
        print(
            f"{'edit':>12} {'median ms':>10} {'max ms':>8} {'cpu ms':>7} {'diags':>6} {'decode ms':>10}"
        )
        alls, allc = [], []
        for kind, rs in results[0].items():
            walls = [r[0] for r in rs]
            cpus = [r[1] for r in rs]
            alls += walls
            allc += cpus
            print(
                f"{kind:>12} {med(walls):>10.1f} {max(walls):>8.1f} {med(cpus):>7.1f} {rs[-1][3]:>6}"
                f" {med([r[2] for r in rs]):>10.1f}"
            )
        print(f"{'all':>12} {med(alls):>10.1f} {max(alls):>8.1f} {med(allc):>7.1f}")
        return
    print(
        f"{lines} lines, {mode} sync{extra}; A = {binary} (open {sessions[0].open_ms:.1f} ms, peak RSS"
        f" {peaks[0]:.0f} MiB), B = {vs} (open {sessions[1].open_ms:.1f} ms, peak RSS {peaks[1]:.0f} MiB)"
    )
    print(
        f"{'edit':>12} {'A ms':>7} {'B ms':>7} {'B/A':>6} {'A cpu':>6} {'B cpu':>6} {'A max':>6} {'B max':>6} {'diags':>6}"
    )
    for kind in results[0]:
        a, b = results[0][kind], results[1][kind]
        ratio = med([y[0] / x[0] for x, y in zip(a, b) if x[0] > 0])
        print(
            f"{kind:>12} {med([r[0] for r in a]):>7.1f} {med([r[0] for r in b]):>7.1f} {ratio:>6.2f}"
            f" {med([r[1] for r in a]):>6.1f} {med([r[1] for r in b]):>6.1f}"
            f" {max(r[0] for r in a):>6.1f} {max(r[0] for r in b):>6.1f} {a[-1][3]:>6}"
        )

main()
