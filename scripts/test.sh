#!/usr/bin/env bash
# Install everything the tests need (Python packages and Debian's Chromium),
# then check the code with ruff and import-linter and run the whole test suite with pytest. Exits non-zero if
# ruff or import-linter finds a problem or any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
install_python_packages requirements-dev.txt
# Ray, for the tests of the Ray job backend (they start a local cluster of their own); the app does not need it.
install_python_packages requirements-cluster.txt
install_chromium
if [ -z "${MNIST_PATH:-}" ] && [ -f ../shared/data/mnist.npz ]; then
  export MNIST_PATH="$(cd ../shared/data && pwd)/mnist.npz"
fi
# Lint first: it takes a second, and a style slip should not wait for the slow tests to be found.
.venv/bin/ruff check .
# The layer rules (.importlinter): lib/'s groups import only the groups below them, lib/ never imports Streamlit.
.venv/bin/lint-imports --no-cache
# Two workers (pytest-xdist), one a core: each test file runs whole on one of them, and tests marked
# xdist_group together (see pytest_xdist_make_scheduler in tests/conftest.py). Arguments given to this script come
# after, so `-n 0` runs everything in one process again.
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
