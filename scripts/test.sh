#!/usr/bin/env bash
# The test suite, after the same idempotent set-up as the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
