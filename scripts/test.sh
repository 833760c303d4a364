#!/usr/bin/env bash
# Install everything the tests need (Python packages and Debian's Chromium),
# then run the whole test suite with pytest. Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
install_python_packages requirements-dev.txt
install_chromium
if [ -z "${MNIST_PATH:-}" ] && [ -f ../shared/data/mnist.npz ]; then
  export MNIST_PATH="$(cd ../shared/data && pwd)/mnist.npz"
fi
exec .venv/bin/python -m pytest "$@"
