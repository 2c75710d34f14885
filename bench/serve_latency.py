#!/usr/bin/env python3
"""Save-to-reload latency of `chapar serve`: the time from writing a changed release to the
reload event reaching the browser's event stream.

    python3 bench/serve_latency.py SITE_ROOT [--edits 5] [--pause 1.5] [--change body|title|lead]
        [--release content/desk/file.md] [--binary PATH]

Starts `target/release/chapar serve --port 0` on SITE_ROOT, opens the event stream, then
edits one release EDITS times, restoring it every other time, and reports each latency and
the median. `--change body` (the default) appends a sentence to the body: the release stays
where it is, and serve renders only the pages that show it. `--change title` appends a word
to the title, which changes the release's address (its slug), so the site is assembled
again. `--change lead` edits the lead, which other releases' related boxes and the listings
show, so those pages are rendered too. Standard library only."""

import argparse
import pathlib
import socket
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


def open_events(port):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET /__chapar/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    sock.settimeout(120)
    buf = b""
    while b": connected" not in buf:
        buf += sock.recv(4096)
    return sock


def wait_reload(sock):
    buf = b""
    while b"data: reload" not in buf:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit("the event stream closed")
        buf += chunk


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=pathlib.Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--pause", type=float, default=1.5,
                        help="seconds between edits: after the reload, serve still brings the "
                             "whole-site files (search index, open data) up to date")
    parser.add_argument("--change", choices=["body", "title", "lead"], default="body")
    parser.add_argument("--release", type=pathlib.Path,
                        help="the release to edit, relative to SITE_ROOT (default: the middle "
                             "one by path)")
    parser.add_argument("--binary", type=pathlib.Path,
                        help="the chapar to time (default: target/release/chapar, built first)")
    args = parser.parse_args()
    binary = args.binary
    if binary is None:
        binary = REPO / "target" / "release" / "chapar"
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    releases = sorted(args.root.glob("content/**/*.md"))
    target = args.root / args.release if args.release else releases[len(releases) // 2]
    original = target.read_text(encoding="utf-8")
    server = subprocess.Popen([str(binary), "serve", "--port", "0", "--root", str(args.root)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        port = int(line.split(":")[2].split("/")[0])
        sock = open_events(port)
        latencies = []
        for i in range(args.edits):
            if i % 2 == 1:
                text = original
            elif args.change == "body":
                text = original + f"\n\nجملهٔ ویرایش شمارهٔ {i}.\n"
            elif args.change == "lead":
                text = original.replace("\nlead: ", f"\nlead: ویرایش {i} ", 1)
            else:
                text = original.replace("\ntitle: ", f"\ntitle: ویرایش {i} ", 1)
            started = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            wait_reload(sock)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(args.pause)
        print(f"{len(releases)} releases; edited the {args.change} of "
              f"{target.relative_to(args.root)}")
        print("save-to-reload ms: " + ", ".join(f"{x:.0f}" for x in latencies))
        print(f"median {statistics.median(latencies):.0f} ms")
    finally:
        target.write_text(original, encoding="utf-8")
        server.send_signal(2)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
