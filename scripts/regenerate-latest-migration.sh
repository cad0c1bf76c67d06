#!/usr/bin/env bash
# Development only, while the newest migration has not yet been released: rebuild it from the models.
# Usage: scripts/regenerate-latest-migration.sh 0002_providers_pupils_placements "message"
# It upgrades a scratch database to the migration before it, then autogenerates the difference.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?revision id, e.g. 0002_providers_pupils_placements}
message=${2:?a message}
tmp=$(mktemp -d)
rm -f "migrations/versions/${name}.py" migrations/versions/"${name}"_*.py
export APHUB_ENV=development APHUB_INSTANCE_PATH="$tmp" DATABASE_URL="sqlite:///$tmp/regen.sqlite3" FLASK_APP=wsgi
.venv/bin/flask db upgrade >/dev/null 2>&1
.venv/bin/flask db migrate --rev-id "$name" -m "$message" >/dev/null 2>&1
rm -rf "$tmp"
for f in migrations/versions/"${name}"_*.py; do [ -f "$f" ] && mv "$f" "migrations/versions/${name}.py"; done
test -f "migrations/versions/${name}.py" || { echo "no migration generated (no model changes?)" >&2; exit 1; }
echo "regenerated migrations/versions/${name}.py"
