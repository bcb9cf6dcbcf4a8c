#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser test
# (tests/notebooks/test_browser_widgets.py drives it headless through Playwright; Playwright
# never downloads a browser here). Safe to run again: it does nothing when Chromium is there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install_browser: $CHROMIUM is present, nothing to do."
    exit 0
fi

fail() {
    echo "install_browser: $1" >&2
    echo "install_browser: the browser test (tests/notebooks/test_browser_widgets.py) needs Debian's package 'chromium';" \
         "install it as root with: apt-get update && apt-get install -y chromium" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "$CHROMIUM is missing and this is not root, so it cannot be installed here."
command -v apt-get >/dev/null || fail "$CHROMIUM is missing and there is no apt-get on this machine."

echo "install_browser: $CHROMIUM is missing; running apt-get update, then apt-get install -y chromium."
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || fail "apt-get update failed."
apt-get install -y -q chromium || fail "apt-get install chromium failed."
[ -x "$CHROMIUM" ] || fail "apt-get installed chromium but $CHROMIUM is still missing."
echo "install_browser: installed $CHROMIUM."
