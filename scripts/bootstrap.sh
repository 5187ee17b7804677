# Sourced by the other scripts: make .venv with Python 3.13 and install Chargeside into it.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v python3.13 >/dev/null 2>&1 || ! python3.13 -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then
    echo "error: Chargeside needs Python 3.13 as 'python3.13' on PATH (Django 6.1 needs >= 3.12)." >&2
    echo "       With pyenv: 'pyenv install 3.13.0' (this repo's .python-version selects it)." >&2
    exit 2
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $(python3.13 --version)"
    python3.13 -m venv .venv
fi
stamp=".venv/.chargeside-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing Chargeside and its dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[test]"
    touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
