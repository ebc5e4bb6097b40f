#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium), never a browser build that
# Playwright would download: install the OS package when it is missing.
set -euo pipefail

[ -x /usr/bin/chromium ] && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! command -v apt-get >/dev/null; then
  echo "install Chromium so that /usr/bin/chromium exists (the browser tests need it)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
  echo "[deps] Chromium is missing and installing it needs root: run apt-get install chromium as root, then make test again" >&2
  exit 1
fi
echo "[deps] installing Chromium from the OS packages for the browser tests"
if ! apt-cache show chromium >/dev/null 2>&1; then as_root apt-get update -qq; fi
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || {
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
[ -x /usr/bin/chromium ] || { echo "[deps] Chromium did not install: run apt-get install chromium as root" >&2; exit 1; }
