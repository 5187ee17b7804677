#!/usr/bin/env bash
# The whole test suite, on SQLite and then on PostgreSQL (127.0.0.1:5432, user postgres).
# Installs what it needs: the virtualenv, and (as root) Debian's chromium for the browser tests.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need_apt+=(gettext)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "==> apt-get install ${need_apt[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    else
        echo "warning: missing ${need_apt[*]} (run as root to install); affected tests will fail" >&2
    fi
fi

PG_URL="${CHARGESIDE_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/chargeside}"
if ! .venv/bin/python - "$PG_URL" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
PY
then
    echo "==> PostgreSQL not reachable; trying to start it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
fi

export CHARGESIDE_TESTING=1
mkdir -p artifacts
status=0
run() {  # pytest exits 5 when it collects nothing: that is a failure of this script too
    local label="$1"; shift
    echo "==> tests on $label"
    .venv/bin/python -m pytest "$@" || status=$?
}
# The browser tests run once (SQLite): they test pages, not SQL.
run SQLite -n 2 -p no:cacheprovider
DATABASE_URL="$PG_URL" run PostgreSQL -n 2 -p no:cacheprovider -m "not browser"
exit $status
