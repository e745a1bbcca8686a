#!/usr/bin/env bash
# Set up (idempotent) and run Paydesk on the embedded emulator: Electron when its binary is present,
# otherwise the headless kiosk shell opened in Chromium's app mode. Extra arguments go to `npm start`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm start -- "$@"
