#!/usr/bin/env python3
"""How close a full build comes to the time it takes only to write its output.

    bench/write_floor.py [CHAPAR_BINARY] [ROUNDS]

CHAPAR_BINARY defaults to target/release/chapar, ROUNDS to 3. Builds bench/corpus-10000 once
to learn the output tree, reads every file of it into memory, then alternates, ROUNDS times:

- a full `chapar build` from scratch (no output folder, no build state);
- the same files written from memory by one worker process per core, each making the
  folders and files of one contiguous part of the tree (parts of about equal bytes), in
  order: no rendering, no parsing, only `mkdir`, `open`, `write` and `close`. The workers
  are forked with the files already in their memory; the clock starts when all are ready.

Prints each round and the medians: wall seconds, and for the writers their CPU time in the
kernel. Each step starts after `sync`, with nothing left to write back: otherwise the kernel
throttles writes once a few builds' output waits in the page cache. The writers' time is an
estimate of what the file system alone costs a full build of this site on this machine; the
ratio of the two is comparable across runs where absolute times are not.

Everything is made under bench/write-floor/ (about 2 x ROUNDS + 1 copies of the output, some
700 MB each) and removed at the end, not between rounds: on ext4 without a journal, freeing
many inodes slows the next minutes' file creation (see bench/README.md), so run it a few
minutes after deleting large folders, and expect the next run to wait as well.
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

# Every output file as (relative path, bytes), in path order; set before the workers are
# forked, so that they inherit it instead of receiving it through a pipe.
FILES = []


def read_tree(root):
    files = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            files.append((str(path.relative_to(root)), path.read_bytes()))
    files.sort()
    return files


def parts_of_equal_bytes(count):
    """`count` contiguous (start, end) ranges of FILES holding about as many bytes each."""
    total = sum(len(data) for _, data in FILES)
    bounds, size, start = [], 0, 0
    for i, (_, data) in enumerate(FILES):
        size += len(data)
        if size >= total * (len(bounds) + 1) / count and len(bounds) < count - 1:
            bounds.append((start, i + 1))
            start = i + 1
    bounds.append((start, len(FILES)))
    return bounds


def write_part(args):
    """Waits for every worker at `ready`, then writes FILES[start:end] under `dest`. Returns
    when it started and ended (monotonic clock) and its CPU seconds in the kernel."""
    dest, start, end = args
    READY.wait()
    began, cpu = time.monotonic(), os.times().system
    made = set()
    for rel, data in FILES[start:end]:
        folder = os.path.dirname(rel)
        if folder and folder not in made:
            # Parents first, each once; a folder another part made already is fine.
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
    return began, time.monotonic(), os.times().system - cpu


def share_barrier(barrier):
    global READY
    READY = barrier


def build(chapar, out):
    os.sync()
    start = time.perf_counter()
    done = subprocess.run(
        [chapar, "build", "-q", "--root", str(CORPUS), "--out", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"write_floor.py: chapar build failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def main():
    chapar = sys.argv[1] if len(sys.argv) > 1 else str(BENCH.parent / "target/release/chapar")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if rounds < 1:
        sys.exit("write_floor.py: ROUNDS must be at least 1")
    if not (CORPUS / "content").is_dir():
        sys.exit("write_floor.py: run bench/run.sh 10000 first, to generate the corpus")
    if WORK.exists():
        sys.exit(f"write_floor.py: {WORK} is left from another run; remove it first")
    WORK.mkdir()
    try:
        build(chapar, WORK / "reference")
        FILES.extend(read_tree(WORK / "reference"))
        size = sum(len(data) for _, data in FILES)
        workers = os.cpu_count() or 1
        print(f"{len(FILES)} files, {size / 1e6:.0f} MB; {workers} writers; chapar {chapar}")
        parts = parts_of_equal_bytes(workers)
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(workers)
        builds, writes, kernel = [], [], []
        with context.Pool(workers, initializer=share_barrier, initargs=(barrier,)) as pool:
            for n in range(1, rounds + 1):
                builds.append(build(chapar, WORK / f"build-{n}"))
                dest = WORK / f"write-{n}"
                dest.mkdir()
                os.sync()
                times = pool.map(write_part, [(str(dest), a, b) for a, b in parts], chunksize=1)
                writes.append(max(t[1] for t in times) - min(t[0] for t in times))
                kernel.append(sum(t[2] for t in times))
                print(
                    f"round {n}: chapar build {builds[-1]:.2f} s, "
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
        if WORK.exists():
            print(f"write_floor.py: could not remove all of {WORK}", file=sys.stderr)


if __name__ == "__main__":
    main()
