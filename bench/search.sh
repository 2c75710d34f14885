#!/usr/bin/env bash
# The search index on a synthetic newsroom: its size, what each query of
# bench/search_queries.json downloads (the way the /search/ page fetches), and the build time
# the index adds (the `reading` stage, which makes the search documents, and the `publishing`
# stage of `chapar build --verbose`, which writes the index beside the feeds and open data).
#
#   bench/search.sh [N]        (default 10000; needs Node.js)
#
# Uses bench/corpus-N (made by generate.py when missing) and builds into a temporary folder.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
N="${1:-10000}"
corpus="$BENCH_DIR/corpus-$N"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
command -v node >/dev/null || { echo "search.sh: Node.js is needed" >&2; exit 1; }
if [ ! -d "$corpus/content" ]; then
    echo "== generating corpus-$N" >&2
    mkdir -p "$corpus"
    python3 "$BENCH_DIR/generate.py" "$N" "$corpus"
fi
(cd "$REPO" && cargo build --release --quiet)
target="${CARGO_TARGET_DIR:-$REPO/target}"
echo "== build stages (ms)"
"$target/release/chapar" build --root "$corpus" --out "$out/public" --verbose 2>&1 | grep -E '^  [a-z]+ +[0-9]+ ms|^built'
echo "== index size (bytes)"
(cd "$out/public/search" && du -sb --apparent-size meta.json s d && echo "shards: $(ls s | wc -l), result chunks: $(ls d | wc -l)")
echo "== per query"
table=$(cat <<'PY'
import json, sys
rows = json.load(sys.stdin)
queries = json.load(open(sys.argv[1]))
print("| query | filter | results | files | bytes | gzipped |")
print("|---|---|---:|---:|---:|---:|")
for r, q in zip(rows, queries):
    f = " ".join(f"{k}={v}" for k, v in q.items() if k != "q")
    print(f"| {r['q']} | {f} | {r['count']} | {r['files']} | {r['bytes']:,} | {r['gzipped']:,} |")
print(f"max bytes: {max(r['bytes'] for r in rows):,}; max gzipped: {max(r['gzipped'] for r in rows):,}")
PY
)
node "$REPO/tests/js/search_query.js" "$out/public" <"$BENCH_DIR/search_queries.json" | python3 -c "$table" "$BENCH_DIR/search_queries.json"
