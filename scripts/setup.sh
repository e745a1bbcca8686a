#!/usr/bin/env bash
# One-time (and idempotent) set-up of a fresh machine: Debian packages the tests and the kiosk shell use,
# then the npm dependencies (better-sqlite3 builds from source here; the Electron binary is never fetched).
#   bash scripts/setup.sh           # for running the app: missing Debian packages are a warning
#   bash scripts/setup.sh --tests   # for the tests: missing Debian packages are an error
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=0
[ "${1:-}" = "--tests" ] && for_tests=1

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v socat >/dev/null 2>&1 || missing+=(socat)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}"
    echo "       run: sudo apt-get install -y ${missing[*]}"
    [ $for_tests = 1 ] && exit 1
  fi
fi

# The Electron npm package would download its binary in postinstall; no internet here, and the
# headless kiosk shell serves the same renderer. See README "Electron".
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
stamp=node_modules/.paydesk-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || ! node -e "require('better-sqlite3')" >/dev/null 2>&1; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
node -e "const D=require('better-sqlite3'); new D(':memory:').close()" || { echo "setup: better-sqlite3 did not build"; exit 1; }
echo "setup: ok"
