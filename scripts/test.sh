#!/usr/bin/env bash
# Set up and run the tests. Extra arguments go to pytest, e.g. `scripts/test.sh -q tests/browser -x`.
# Exits with pytest's exit code.
#
# The tests use real servers, never stand-ins: redis-server and an SMTP server on loopback (started by the
# tests themselves), a database built by the migrations (SQLite, or PostgreSQL when TEST_POSTGRES_URL names a
# server, e.g. postgresql+psycopg://aphub:aphub@127.0.0.1:5432/postgres), and Debian's Chromium for the browser
# journeys, with axe-core (from npm, locked in package-lock.json, into node_modules) for their accessibility checks.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\ntest.sh: %s\n' "$*" >&2; exit 2; }

# --- Python and the virtual environment (as scripts/run.sh) -----------------------------------------------------
. scripts/venv.sh
ensure_venv

# --- What the tests need from the machine -----------------------------------------------------------------------
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
axe=node_modules/axe-core/axe.min.js
if [ ! -f "$axe" ] && ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
    die "the tests need ${missing[*]}, which this machine lacks. Install with (as root):
    apt-get update && apt-get install -y ${missing[*]}
(.ci/run installs everything on a fresh Debian 12 machine.)"
fi
if [ ! -f "$axe" ]; then
    say "Installing the locked front-end packages (axe-core for the accessibility checks): npm ci"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null \
        || die "npm ci could not install package-lock.json (see the message above)."
fi

# --- Lint and layers, before any test (issue 12 item 4): fail fast, in seconds -----------------------------------
say "ruff check . (pyflakes, pycodestyle, import order, bugbear, pyupgrade, complexity 15; pyproject.toml)"
.venv/bin/ruff check --quiet . \
    || die "ruff found the problems above. Fix them (\`.venv/bin/ruff check --fix .\` sorts imports); a per-line
\`# noqa: CODE\` needs a reason beside it."
say "lint-imports (the layers contract in .importlinter)"
.venv/bin/lint-imports --no-logo --no-cache >/tmp/aphub-lint-imports.$$ 2>&1 \
    || { cat /tmp/aphub-lint-imports.$$; rm -f /tmp/aphub-lint-imports.$$
         die "an import crosses the layers (above): config -> tenants -> app core -> policy -> models -> services ->
views/api/admin -> jobs entry points. Move the code to the layer it belongs to (docs/ARCHITECTURE.md, Layers)."; }
rm -f /tmp/aphub-lint-imports.$$
say "deferred imports (scripts/deferred_imports.py)"
.venv/bin/python scripts/deferred_imports.py \
    || die "an import inside a function without a \`# deferred: why\` note (above): move it to the top of the module,
or say why it must wait."

# --- The tests ----------------------------------------------------------------------------------------------------
say "pytest $*${TEST_POSTGRES_URL:+ (PostgreSQL: a fresh database on the server in TEST_POSTGRES_URL)}"
set +e
.venv/bin/python -m pytest "$@"
status=$?
exit "$status"
