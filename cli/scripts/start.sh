#!/bin/sh
# `npm start`: install and build what is missing, then run the whole stack with the demo.
# Extra arguments go to `fleetprof up` (npm start -- --data-dir /tmp/fp).
set -e
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ]; then
  echo "npm start: installing packages (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "npm start: building (npm run build)"
npm run build --silent >/dev/null || npm run build
exec node cli/dist/bin.js up --demo "$@"
