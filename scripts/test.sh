#!/usr/bin/env bash
# Install everything the tests need (Python packages and Debian's Chromium),
# then check the code with ruff and run the whole test suite with pytest. Exits non-zero if
# ruff finds a problem or any test fails.
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
exec .venv/bin/python -m pytest "$@"
