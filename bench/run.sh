#!/usr/bin/env bash
# Benchmarks `chapar build` on synthetic newsrooms of N releases each.
#
#   bench/run.sh [N ...]          (default: 1000 10000)
#   REPEAT=3 bench/run.sh ...     (each measurement three times, keeping the fastest)
#
# Builds the release binary, generates bench/corpus-N (only when missing or made by another
# version of generate.py), then times with GNU time (a) a full build from scratch and (b) a
# rebuild with nothing changed and (c) a rebuild after one release's body was edited, and
# prints a markdown table. See bench/README.md.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
REPEAT="${REPEAT:-1}"
PYTHON="${PYTHON:-python3}"
TIME=/usr/bin/time
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
if ! [ -x "$TIME" ] || ! "$TIME" --version 2>&1 | grep -q GNU; then
    echo "run.sh: GNU time is needed at $TIME (Debian/Ubuntu: apt-get install time)" >&2
    exit 1
fi
command -v "$PYTHON" >/dev/null || { echo "run.sh: $PYTHON not found" >&2; exit 1; }

WORK="$(mktemp -d)"
# Old output is moved here rather than deleted, and deleted only after the last measurement:
# freeing tens of thousands of inodes just before a build can make that build several times
# slower on some file systems (see README.md), which would measure the benchmark, not chapar.
# It lives beside the corpora so that moving is a rename on the same file system.
TRASH="$BENCH_DIR/corpus-trash.$$"
trap 'rm -rf "$WORK" "$TRASH"' EXIT

echo "== building chapar (release)" >&2
commit="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no -- src templates static Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
fi
(cd "$REPO" && cargo build --release --quiet)
# Measure a private copy, so a concurrent `cargo build` cannot swap the binary mid-run.
CHAPAR="$WORK/chapar"
cp "$REPO/target/release/chapar" "$CHAPAR"

GEN="$BENCH_DIR/generate.py"
GEN_HASH="$(sha256sum "$GEN" | cut -d' ' -f1)"
for n in "${SIZES[@]}"; do
    corpus="$BENCH_DIR/corpus-$n"
    want="$GEN_HASH $n"
    if [ -f "$corpus/.bench-stamp" ] && [ "$(cat "$corpus/.bench-stamp")" = "$want" ]; then
        echo "== corpus-$n is up to date" >&2
    else
        echo "== generating corpus-$n" >&2
        rm -rf "$corpus"
        mkdir -p "$corpus"
        "$PYTHON" "$GEN" "$n" "$corpus"
        echo "$want" >"$corpus/.bench-stamp"
    fi
done

# Runs one build of corpus $1 under GNU time; sets WALL, USER_S, SYS_S, RSS_KB and SUMMARY.
measure() {
    local corpus="$1" label="$2"
    local log="$WORK/stderr" timing="$WORK/time"
    # Each build starts with nothing waiting to be written back: a build's hundreds of MB of
    # output left in the page cache make the kernel throttle the next build's writes.
    sync
    if ! "$TIME" -f '%e %U %S %M' -o "$timing" "$CHAPAR" build --root "$corpus" 2>"$log" >/dev/null; then
        echo "run.sh: chapar build failed ($label of $corpus); the end of its output:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    read -r WALL USER_S SYS_S RSS_KB < <(tail -n 1 "$timing")
    SUMMARY="$(tail -n 1 "$log")"
}

# Moves the corpus's output and build state away, for a build from scratch.
set_aside() {
    local corpus="$1" dir
    mkdir -p "$TRASH"
    for dir in public .public.staging .public.state .public.search .public.search-text .public.journal; do
        if [ -e "$corpus/$dir" ]; then
            mv "$corpus/$dir" "$(mktemp -d "$TRASH/XXXXXX")/"
        fi
    done
}

# The release the one-edit measurement changes, and its original text.
EDIT_COUNT=0
edited_file() {
    # awk reads to the end: `head` would leave `sort` writing into a closed pipe, which
    # pipefail turns into a failure.
    find "$1/content" -name '*.md' | sort | awk 'NR == 1'
}

# Measures corpus-$1 $REPEAT times ($2 = "full", "rebuild" or "edit") and keeps the fastest
# run in the arrays below, keyed by "$kind $n".
declare -A WALL_OF USER_OF SYS_OF RSS_OF SUMMARY_OF
best_of() {
    local n="$1" kind="$2" corpus="$BENCH_DIR/corpus-$1" key="$2 $1"
    for _ in $(seq "$REPEAT"); do
        if [ "$kind" = full ]; then
            set_aside "$corpus"
        fi
        local file=""
        if [ "$kind" = edit ]; then
            file="$(edited_file "$corpus")"
            cp "$file" "$WORK/original.md"
            EDIT_COUNT=$((EDIT_COUNT + 1))
            printf '\nجملهٔ افزوده برای سنجش، شمارهٔ %d.\n' "$EDIT_COUNT" >>"$file"
        fi
        measure "$corpus" "$kind build"
        if [ -n "$file" ]; then
            cp "$WORK/original.md" "$file"
        fi
        if [ -z "${WALL_OF[$key]:-}" ] || awk -v a="$WALL" -v b="${WALL_OF[$key]}" 'BEGIN { exit !(a < b) }'; then
            WALL_OF[$key]="$WALL"; USER_OF[$key]="$USER_S"; SYS_OF[$key]="$SYS_S"
            RSS_OF[$key]="$RSS_KB"; SUMMARY_OF[$key]="$SUMMARY"
        fi
    done
}

# All full builds first, then all rebuilds: a rebuild deletes the previous site, and a full
# build right after that deletion would pay for it (see set_aside).
for n in "${SIZES[@]}"; do
    echo "== corpus-$n: full build" >&2
    best_of "$n" full
done
for n in "${SIZES[@]}"; do
    echo "== corpus-$n: no-change rebuild" >&2
    best_of "$n" rebuild
    echo "== corpus-$n: rebuild after one edited release" >&2
    best_of "$n" edit
done

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
fstype="$(df --output=fstype "$BENCH_DIR" 2>/dev/null | tail -n 1)"
dev="$(df --output=source "$BENCH_DIR" 2>/dev/null | tail -n 1)"
fs_note=""
if [ "$fstype" = ext4 ] && [ "$(cat "/sys/fs/ext4/${dev##*/}/journal_task" 2>/dev/null)" = "<none>" ]; then
    fs_note=" without a journal: builds soon after a large deletion are slow, see bench/README.md"
fi

echo
echo "chapar $commit; $(nproc) CPUs: ${cpu:-unknown CPU}; $(uname -sr); ${fstype:-unknown} file system$fs_note"
echo "fastest of $REPEAT run(s) each; warm page cache; peak RSS from GNU time"
echo
echo "| N | full build s | articles/s | full peak RSS MB | no-change rebuild s | rebuild peak RSS MB | one-edit rebuild s | edit peak RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
notes=()
for n in "${SIZES[@]}"; do
    articles="$(sed -n 's/^built \([0-9]*\) articles.*/\1/p' <<<"${SUMMARY_OF[full $n]}")"
    awk -v n="$n" -v a="${articles:-$n}" -v fs="${WALL_OF[full $n]}" -v fk="${RSS_OF[full $n]}" \
        -v rs="${WALL_OF[rebuild $n]}" -v rk="${RSS_OF[rebuild $n]}" \
        -v es="${WALL_OF[edit $n]}" -v ek="${RSS_OF[edit $n]}" 'BEGIN {
            rate = (fs > 0) ? sprintf("%.0f", a / fs) : "n/a"
            printf "| %d | %.2f | %s | %.1f | %.2f | %.1f | %.2f | %.1f |\n", n, fs, rate, fk / 1024, rs, rk / 1024, es, ek / 1024
        }'
    if [ "$articles" != "$n" ]; then
        notes+=("WARNING: corpus-$n has $n releases but chapar built ${articles:-?} articles")
    fi
    for kind in full rebuild edit; do
        notes+=("$(printf '%-7s %6s: %5ss user %5ss sys | %s' "$kind" "$n" \
            "${USER_OF[$kind $n]}" "${SYS_OF[$kind $n]}" "${SUMMARY_OF[$kind $n]}")")
    done
done
echo
printf '%s\n' "${notes[@]}"
