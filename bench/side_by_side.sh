#!/usr/bin/env bash
# Compares two chapar binaries side by side:
#
#   bench/side_by_side.sh OLD_BINARY NEW_BINARY [ROUNDS] [digit|words|full|none]
#
# `digit` and `words` time one-edit rebuilds (below); `full` times full builds (the output
# folder and everything kept beside it removed before each), `none` rebuilds with nothing
# changed.
# Each binary builds bench/corpus-10000 into an output folder of its own (so each keeps its
# own build state: a binary does not trust another's). Before each pair of builds one
# release gets a sentence appended to its original text: `digit` (the default) ends in a
# one-digit number, which the search index does not hold, so after the first round only the
# article's page changes; `words` adds a word that is new each time, so the search index
# changes too. (Sentences left to pile up would change the index for eight rounds: each
# repeat raises its words' weight in the article until the weight reaches its cap.) Prints the
# median of each `chapar -v build` stage and of the whole build, in ms, for each binary.
# Alternating the two is what makes the comparison fair on a noisy machine. The edited
# release is restored at the end; the output folders are left in bench/side-by-side/.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OLD="$1"; NEW="$2"; ROUNDS="${3:-12}"; KIND="${4:-digit}"
CORPUS="$BENCH_DIR/corpus-10000"
OUT="$BENCH_DIR/side-by-side"
[ -d "$CORPUS/content" ] || { echo "side_by_side.sh: run bench/run.sh 10000 first" >&2; exit 1; }
FILE="$(find "$CORPUS/content" -name '*.md' | sort | awk 'NR == 1')"
WORK="$(mktemp -d)"
cp "$FILE" "$WORK/original.md"
trap 'cp "$WORK/original.md" "$FILE"; rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

for side in old new; do
    bin=$OLD; [ $side = new ] && bin=$NEW
    # The first build may be a full one (a new binary); the second leaves nothing to do.
    "$bin" build --root "$CORPUS" --out "$OUT/$side" >/dev/null 2>&1
    "$bin" build --root "$CORPUS" --out "$OUT/$side" >/dev/null 2>&1
done
for round in $(seq "$ROUNDS"); do
    cp "$WORK/original.md" "$FILE"
    if [ "$KIND" = full ] || [ "$KIND" = none ]; then
        :
    elif [ "$KIND" = words ]; then
        printf '\nواژهٔ تازهٔ شمارهٔ %d برای سنجش.\n' "$((round * 7919 + RANDOM))" >>"$FILE"
    else
        printf '\nجملهٔ افزوده برای سنجش، شمارهٔ %d.\n' "$((round % 9 + 1))" >>"$FILE"
    fi
    for side in old new; do
        bin=$OLD; [ $side = new ] && bin=$NEW
        if [ "$KIND" = full ]; then
            rm -rf "${OUT:?}/$side" "$OUT/.$side".*
        fi
        start=$EPOCHREALTIME
        "$bin" -v build --root "$CORPUS" --out "$OUT/$side" 2>&1 |
            awk '/^  [a-z]+ +[0-9]+ ms/ { print $1, $2 }' >>"$WORK/$side"
        end=$EPOCHREALTIME
        awk -v a="$start" -v b="$end" 'BEGIN { printf "build %.0f\n", (b - a) * 1000 }' >>"$WORK/$side"
    done
done
python3 - "$WORK" <<'PY'
import collections, statistics, sys
work = sys.argv[1]
rows = {}
for side in ("old", "new"):
    stages = collections.defaultdict(list)
    for line in open(f"{work}/{side}"):
        name, ms = line.split()
        stages[name].append(float(ms))
    rows[side] = stages
names = list(rows["old"])
print("| binary | " + " | ".join(names) + " |")
print("|---|" + "---:|" * len(names))
for side in ("old", "new"):
    print(f"| {side} | " + " | ".join(f"{statistics.median(rows[side][n]):.1f}" for n in names) + " |")
PY
