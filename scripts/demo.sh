#!/usr/bin/env bash
# Set everything up and start the demo: SQLite in ./var, five seeded fake gateways, the demo workspace,
# a backfill of each, then the web server and a task worker. Ctrl-C stops it all.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
export DEBUG="${DEBUG:-1}" CHARGESIDE_HOME="${CHARGESIDE_HOME:-$ROOT/var}"
exec chargeside demo "$@"
