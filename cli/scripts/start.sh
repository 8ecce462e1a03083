#!/bin/sh
# `npm start`: install and build what is missing, then run the whole stack with the demo.
# Extra arguments go to `fleetprof up` (npm start -- --data-dir /tmp/fp).
set -e
cd "$(dirname "$0")/../.."

# nats-server and py-spy: installed when missing and we may (root, as on CI); otherwise
# `fleetprof up` says what is missing and how to install it.
if [ "$(id -u)" = 0 ]; then
  if ! command -v nats-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "npm start: installing nats-server (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server
  fi
  if ! python3 -m pip show py-spy >/dev/null 2>&1 && ! command -v py-spy >/dev/null 2>&1; then
    echo "npm start: installing py-spy 0.4.2 (pip)"
    python3 -m pip install --quiet py-spy==0.4.2
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
  fi
fi

if [ ! -d node_modules ]; then
  echo "npm start: installing packages (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "npm start: building (npm run build)"
npm run build --silent >/dev/null 2>&1 || npm run build
exec node cli/bin/fleetprof.js up --demo "$@"
