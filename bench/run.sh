#!/usr/bin/env bash
# Benchmarks `chapar build` on synthetic newsrooms of N releases each.
#
#   bench/run.sh [N ...]          (default: 1000 10000)
#
# For each N: generates bench/corpus-N (only when missing or made by another version of
# generate.py), then times (a) a full build from scratch and (b) a rebuild with nothing
# changed, with GNU time. Prints a markdown table. REPEAT=3 bench/run.sh ... runs each
# measurement three times and keeps the fastest.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
REPEAT="${REPEAT:-1}"
SIZES=("$@")
if [ ${#SIZES[@]} -eq 0 ]; then
    SIZES=(1000 10000)
fi
for n in "${SIZES[@]}"; do
    if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
        echo "run.sh: N must be a positive whole number, not '$n'" >&2
        exit 2
    fi
done
if ! [[ "$REPEAT" =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: REPEAT must be a positive whole number, not '$REPEAT'" >&2
    exit 2
fi

TIME=/usr/bin/time
if ! [ -x "$TIME" ] || ! "$TIME" --version 2>&1 | grep -q GNU; then
    echo "run.sh: GNU time is needed at $TIME (Debian/Ubuntu: apt-get install time)" >&2
    exit 1
fi
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || { echo "run.sh: $PYTHON not found" >&2; exit 1; }

echo "== building chapar (release)" >&2
(cd "$REPO" && cargo build --release --quiet)
CHAPAR="$REPO/target/release/chapar"

GEN="$BENCH_DIR/generate.py"
GEN_HASH="$(sha256sum "$GEN" | cut -d' ' -f1)"
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

# Runs one build of corpus $1 under GNU time; sets SECONDS_TAKEN, RSS_KB and SUMMARY.
measure() {
    local corpus="$1" label="$2"
    local log="$LOG_DIR/stderr" timing="$LOG_DIR/time"
    if ! "$TIME" -f '%e %M' -o "$timing" "$CHAPAR" build --root "$corpus" 2>"$log" >/dev/null; then
        echo "run.sh: chapar build failed ($label, $corpus); last lines of its output:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    read -r SECONDS_TAKEN RSS_KB <"$timing"
    SUMMARY="$(tail -n 1 "$log")"
}

# Runs measure $REPEAT times (the setup command before each) and keeps the fastest run.
best_of() {
    local corpus="$1" label="$2" setup="$3"
    local best_s="" best_kb="" best_summary=""
    for _ in $(seq "$REPEAT"); do
        eval "$setup"
        measure "$corpus" "$label"
        if [ -z "$best_s" ] || awk -v a="$SECONDS_TAKEN" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best_s="$SECONDS_TAKEN"; best_kb="$RSS_KB"; best_summary="$SUMMARY"
        fi
    done
    SECONDS_TAKEN="$best_s"; RSS_KB="$best_kb"; SUMMARY="$best_summary"
}

# Clears the corpus's output for a build from scratch. The old output is renamed into
# $TRASH rather than deleted, and deleted only after the last measurement: freeing tens of
# thousands of inodes just before a build can make that build several times slower on some
# file systems (see README.md), and that would be measuring the benchmark, not chapar.
TRASH="$BENCH_DIR/corpus-trash.$$"
set_aside() {
    local corpus="$1"
    mkdir -p "$TRASH"
    for dir in public .public.staging; do
        if [ -e "$corpus/$dir" ]; then
            mv "$corpus/$dir" "$(mktemp -d "$TRASH/XXXXXX")/"
        fi
    done
}
trap 'rm -rf "$LOG_DIR" "$TRASH"' EXIT

ROWS=()
NOTES=()
for n in "${SIZES[@]}"; do
    corpus="$BENCH_DIR/corpus-$n"
    stamp="$corpus/.bench-stamp"
    want="$GEN_HASH $n"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        echo "== corpus-$n is up to date" >&2
    else
        echo "== generating corpus-$n" >&2
        rm -rf "$corpus"
        mkdir -p "$corpus"
        "$PYTHON" "$GEN" "$n" "$corpus"
        echo "$want" >"$stamp"
    fi

    echo "== corpus-$n: full build" >&2
    best_of "$corpus" "full build" 'set_aside "$corpus"'
    full_s="$SECONDS_TAKEN"; full_kb="$RSS_KB"
    articles="$(sed -n 's/^built \([0-9]*\) articles.*/\1/p' <<<"$SUMMARY")"
    NOTES+=("corpus-$n full:      $SUMMARY")
    if [ "$articles" != "$n" ]; then
        NOTES+=("corpus-$n: WARNING: chapar built ${articles:-?} articles, expected $n")
    fi

    echo "== corpus-$n: no-change rebuild" >&2
    best_of "$corpus" "no-change rebuild" ':'
    re_s="$SECONDS_TAKEN"; re_kb="$RSS_KB"
    NOTES+=("corpus-$n no-change: $SUMMARY")

    ROWS+=("$(awk -v n="$n" -v a="${articles:-$n}" -v fs="$full_s" -v fk="$full_kb" \
        -v rs="$re_s" -v rk="$re_kb" 'BEGIN {
            rate = (fs > 0) ? sprintf("%.0f", a / fs) : "n/a"
            printf "| %d | %.2f | %s | %.1f | %.2f | %.1f |", n, fs, rate, fk / 1024, rs, rk / 1024
        }')")
done

commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no -- src templates static Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
fi
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"

fs_note=""
dev="$(df --output=source "$BENCH_DIR" 2>/dev/null | tail -n 1)"
fstype="$(df --output=fstype "$BENCH_DIR" 2>/dev/null | tail -n 1)"
if [ "$fstype" = ext4 ] && [ "$(cat "/sys/fs/ext4/${dev##*/}/journal_task" 2>/dev/null)" = "<none>" ]; then
    fs_note="; NOTE: ext4 without a journal, where building soon after deleting a site is slow (see bench/README.md)"
fi

echo
echo "chapar $commit; $(nproc) CPUs: ${cpu:-unknown CPU}; $(uname -sr); ${fstype:-unknown} file system$fs_note"
echo "best of $REPEAT run(s) each; warm page cache; peak RSS from GNU time"
echo
echo "| N | full build s | articles/s | full peak RSS MB | no-change rebuild s | rebuild peak RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
echo
printf '%s\n' "${NOTES[@]}"
