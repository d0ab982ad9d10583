#!/usr/bin/env bash
# npm start [-- <dataset>]: set up, build, and open the app on the built-in demo (or the dataset given).
# Where the Electron binary is missing (it cannot be downloaded offline) the same app opens through
# the web bridge in a browser instead, with the reason printed.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_CHROMIUM=1 bash scripts/setup.sh
npx electron-vite build >/dev/null
if [ -f node_modules/electron/path.txt ] && [ -x "node_modules/electron/dist/$(cat node_modules/electron/path.txt)" ]; then
  exec npx electron out/main/index.js "$@"
fi
echo "The Electron binary is not installed on this machine (its download needs internet access);"
echo "starting the same app through the web bridge instead. Open the URL below in a browser."
exec node --import tsx main/cli/serve.ts "$@"
