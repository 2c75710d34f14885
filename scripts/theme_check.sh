#!/usr/bin/env bash
# Looks at the default theme the way readers and auditors do:
#  - builds the sample site and serves it on 127.0.0.1;
#  - headless Chromium screenshots of the home page, an article with key figures and a desk
#    page, 375 and 1280 px wide, light and dark, into target/screenshots/;
#  - Lighthouse 12 on the home, article and search pages: performance, accessibility, best practices
#    and SEO must each score at least 0.95;
#  - axe-core on the same pages (and the desk, search and 404 pages): no violation.
# Installs what it needs (Debian chromium and chromium-driver, npm lighthouse@12 and
# @axe-core/cli) on a fresh machine. Exits non-zero when a check fails.
#
#   scripts/theme_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
shots="$repo/target/screenshots"
site="$repo/target/theme-check/public"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/chapar-ci/theme"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -x "$tools/node_modules/.bin/lighthouse" ] || [ ! -x "$tools/node_modules/.bin/axe" ]; then
    mkdir -p "$tools"
    npm install --prefix "$tools" --silent --no-audit --no-fund --ignore-scripts 'lighthouse@12' '@axe-core/cli@4' >/dev/null
fi
export CHROME_PATH=/usr/bin/chromium

rm -rf "$site"
cargo run --release --quiet -- build --out "$site"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
python3 -c "import time, urllib.request as u
for _ in range(50):
    try: u.urlopen(\"$base/\"); break
    except OSError: time.sleep(0.1)"

# The Ilam release (it has key figures and a chart) and the provinces desk.
article_dir="$(cd "$site" && ls -d news/1402070912/*/ | head -n 1)"
article="$base/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$article_dir")"
desk="$base/desk/provinces/"
# The search page with a query (ZWNJ and Arabic yeh on purpose), results filled in by its script.
search="$base/search/?q=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("کارگران ساختماني"))')"

chrome_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars --font-render-hinting=none)
mkdir -p "$shots"
for page in home article desk; do
    case "$page" in home) url="$base/" ;; article) url="$article" ;; desk) url="$desk" ;; esac
    for width in 375 1280; do
        for scheme in light dark; do
            # Blink's preferredColorScheme: 0 is dark, 1 is light.
            value=1; [ "$scheme" = dark ] && value=0
            chromium "${chrome_flags[@]}" --user-data-dir="$(mktemp -d)" \
                --blink-settings=preferredColorScheme=$value \
                --window-size="$width,2400" --screenshot="$shots/$page-$width-$scheme.png" "$url" 2>/dev/null
        done
    done
done
echo "screenshots: $(ls "$shots"/*.png | wc -l) in target/screenshots/"

status=0
lh_flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
# Lighthouse times a simulated slow connection from a trace of this busy machine: a run that
# misses is run once more before it counts as a failure.
lighthouse_page() {
    local page="$1" url="$2"
    "$tools/node_modules/.bin/lighthouse" "$url" --quiet --chrome-flags="$lh_flags" \
        --only-categories=performance,accessibility,best-practices,seo \
        --output=json --output-path="$shots/lighthouse-$page.json" >/dev/null 2>&1 || true
    python3 - "$shots/lighthouse-$page.json" "$page" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: v["score"] for k, v in report["categories"].items()}
print(f"lighthouse {sys.argv[2]}: " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()))
failed = [k for k, v in scores.items() if v is None or v < 0.95]
for k in failed:
    for audit in report["categories"][k]["auditRefs"]:
        a = report["audits"][audit["id"]]
        if a.get("score") is not None and a["score"] < 1 and audit.get("weight", 0) > 0:
            print(f"  {k}: {a['id']}: {a['title']} ({a['score']})")
sys.exit(1 if failed else 0)
PY
}
for page in home article search; do
    case "$page" in home) url="$base/" ;; article) url="$article" ;; search) url="$search" ;; esac
    lighthouse_page "$page" "$url" || lighthouse_page "$page" "$url" || status=1
done

"$tools/node_modules/.bin/axe" "$base/" "$article" "$desk" "$search" "$base/404.html" \
    --chromedriver-path "$(command -v chromedriver)" \
    --chrome-options="headless,no-sandbox,disable-gpu" --exit || status=1
exit $status
