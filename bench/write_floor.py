#!/usr/bin/env python3
"""How close a full build is to the time it takes only to write its output.

    bench/write_floor.py [CHAPAR_BINARY] [ROUNDS]

CHAPAR_BINARY defaults to target/release/chapar, ROUNDS to 3. Builds bench/corpus-10000 once
to learn the output tree, reads every file of it into memory, then alternates, ROUNDS times:

- a full `chapar build` from scratch (no output folder, no build state);
- the same files written from memory by two worker processes (as many as the machine's two
  cores), each making the folders and files of one contiguous half of the tree, in order:
  no rendering, no parsing, only `mkdir`, `open`, `write` and `close`.

Prints each round and the medians: wall seconds, and for the writers their CPU time in the
kernel. Each step starts after `sync`, with nothing left to write back: otherwise the kernel
throttles writes once a few builds' output waits in the page cache. The writers' wall time is
the floor a full build of this site cannot go under on this machine and file system; the
ratio of the two is comparable across runs where absolute times are not. Folders are made
under bench/write-floor/ and removed at the end (run it a few minutes after deleting large
folders: see bench/README.md).
"""

import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CORPUS = BENCH / "corpus-10000"
WORK = BENCH / "write-floor"


def read_tree(root):
    """Every file under `root` as (relative path, bytes), in path order."""
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            files.append((str(path.relative_to(root)), path.read_bytes()))
    files.sort()
    return files


def write_half(args):
    """Writes `files` under `dest`; returns the CPU seconds this process spent in the kernel."""
    dest, files = args
    start = os.times()
    made = set()
    for rel, data in files:
        folder = os.path.dirname(rel)
        if folder and folder not in made:
            # Parents first, each once; a folder the other half made already is fine.
            parts = folder.split("/")
            for depth in range(1, len(parts) + 1):
                partial = "/".join(parts[:depth])
                if partial not in made:
                    try:
                        os.mkdir(os.path.join(dest, partial))
                    except FileExistsError:
                        pass
                    made.add(partial)
        with open(os.path.join(dest, rel), "wb") as f:
            f.write(data)
    return os.times().system - start.system


def build(chapar, out):
    os.sync()
    start = time.perf_counter()
    subprocess.run(
        [chapar, "build", "-q", "--root", str(CORPUS), "--out", str(out)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main():
    chapar = sys.argv[1] if len(sys.argv) > 1 else str(BENCH.parent / "target/release/chapar")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not (CORPUS / "content").is_dir():
        sys.exit("write_floor.py: run bench/run.sh 10000 first, to generate the corpus")
    if WORK.exists():
        sys.exit(f"write_floor.py: {WORK} is left from another run; remove it first")
    WORK.mkdir()
    try:
        build(chapar, WORK / "reference")
        files = read_tree(WORK / "reference")
        size = sum(len(data) for _, data in files)
        print(f"{len(files)} files, {size / 1e6:.0f} MB; chapar {chapar}")
        half = len(files) // 2
        halves = [files[:half], files[half:]]
        builds, writes, kernel = [], [], []
        with multiprocessing.Pool(2) as pool:
            for round in range(1, rounds + 1):
                builds.append(build(chapar, WORK / f"build-{round}"))
                dest = WORK / f"write-{round}"
                dest.mkdir()
                os.sync()
                start = time.perf_counter()
                kernel.append(sum(pool.map(write_half, [(str(dest), h) for h in halves])))
                writes.append(time.perf_counter() - start)
                print(
                    f"round {round}: chapar build {builds[-1]:.2f} s, "
                    f"writing only {writes[-1]:.2f} s ({kernel[-1]:.2f} s in the kernel)"
                )
        b, w = statistics.median(builds), statistics.median(writes)
        print(
            f"median: chapar build {b:.2f} s, writing only {w:.2f} s "
            f"({statistics.median(kernel):.2f} s in the kernel); build / writing = {b / w:.2f}"
        )
    finally:
        # The build states and locks sit beside each output folder, so inside WORK too.
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
