#!/usr/bin/env bash
# Development only, before the first release: rebuild migrations/versions/0001_platform.py from the models.
# Once a migration has shipped, add a new migration instead (flask db migrate -m "...").
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0001_platform.py
APHUB_ENV=development APHUB_INSTANCE_PATH="$tmp" DATABASE_URL="sqlite:///$tmp/regen.sqlite3" FLASK_APP=wsgi \
  .venv/bin/flask db migrate -m "platform and jobs: trust, schools, people, audit, calendar, tasks, outbox" >/dev/null
f=$(ls -t migrations/versions/*.py | head -1)
mv "$f" migrations/versions/0001_platform.py
sed -i "s/^revision = '[0-9a-f]*'/revision = '0001_platform'/" migrations/versions/0001_platform.py
rm -rf "$tmp"
echo "regenerated migrations/versions/0001_platform.py"
