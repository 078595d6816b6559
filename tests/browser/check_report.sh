#!/usr/bin/env bash
# The browser test of the HTML report: opens it in headless Chromium (Debian's
# chromium package, driven by playwright-core from npm) as a laptop and as a
# phone, fails on console errors, any network request, a blank render or a
# page wider than a phone, and saves screenshots (and the printed PDF) next
# to SCREENSHOT.
#
#   bash tests/browser/check_report.sh exports/report.html exports/report.png
#
# chromium is installed with apt-get when missing (as root); playwright-core,
# pinned, into ${SIGNALGRAPH_BROWSER_CACHE:-~/.cache/signalgraph-browser}.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
report="${1:?usage: check_report.sh REPORT.html [SCREENSHOT.png]}"
screenshot="${2:-$(dirname "$report")/report.png}"
playwright_version=1.65.1

chromium="${CHROMIUM:-$(command -v chromium || true)}"
if [ -z "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        echo "check_report.sh: installing Debian's chromium" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
        chromium="$(command -v chromium)"
    else
        echo "check_report.sh: no chromium; install Debian's chromium package (apt-get install chromium)" >&2
        exit 1
    fi
fi

cache="${SIGNALGRAPH_BROWSER_CACHE:-$HOME/.cache/signalgraph-browser}"
installed="$cache/node_modules/playwright-core/package.json"
if [ ! -f "$installed" ] || ! grep -q "\"version\": \"$playwright_version\"" "$installed"; then
    echo "check_report.sh: installing playwright-core@$playwright_version into $cache" >&2
    mkdir -p "$cache"
    [ -f "$cache/package.json" ] || echo '{"private": true}' > "$cache/package.json"
    (cd "$cache" && npm install --no-audit --no-fund --silent "playwright-core@$playwright_version" >&2)
fi

NODE_PATH="$cache/node_modules" CHROMIUM="$chromium" timeout 300 \
    node "$here/check_report.cjs" "$report" "$screenshot"
