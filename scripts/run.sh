#!/usr/bin/env bash
# Install what the app needs into .venv and start it on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
install_python_packages requirements.txt
# A CNN_LAB_* setting that is not allowed stops here with one line naming it, before the server starts.
.venv/bin/python -m lib.settings
# The Korean catalog's .mo, compiled from its .po (lib/i18n.py would do it on the first page otherwise).
.venv/bin/python scripts/catalog.py compile
exec .venv/bin/python scripts/serve.py "$@"
