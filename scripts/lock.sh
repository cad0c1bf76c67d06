#!/usr/bin/env bash
# Re-resolve requirements.lock from pyproject.toml (the test extra included), for every platform, with hashes.
# Pins already in the lock are kept where they still fit, so adding one dependency moves nothing else; upgrading
# one is deliberate: `scripts/lock.sh --upgrade-package NAME`, then run the whole suite (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "lock.sh: run scripts/test.sh once first (it makes .venv)" >&2; exit 2; }
.venv/bin/python -m pip install --quiet 'uv>=0.5,<1'
.venv/bin/python -m uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
    --generate-hashes --no-header --quiet -o requirements.lock "$@"
echo "requirements.lock written"
