#!/usr/bin/env bash
# Make Debian's Chromium ready for the browser tests (tests/web/test_browser.py) and print
# its path. Playwright's own browser download needs the internet; the distribution package
# does not. Installs the `chromium` package when missing and we are root; otherwise prints
# nothing and the browser tests skip with a reason. Run by `make test`.
set -euo pipefail
for candidate in "${PRECURSORWATCH_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        echo "$candidate"
        exit 0
    fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests" >&2
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
    echo /usr/bin/chromium
    exit 0
fi
echo "no Chromium and not root: install the chromium package; browser tests will skip" >&2
