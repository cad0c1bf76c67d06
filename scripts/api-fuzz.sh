#!/usr/bin/env bash
# The API fuzz (issue 17 item 4): schemathesis against the running app on the demo trust, once per role with
# that role's token, checking every operation for server errors and responses that break the document.
# Bounded: FUZZ_EXAMPLES cases an operation (default 8) and FUZZ_SECONDS for the whole run (default 300),
# shared between the roles. Exits non-zero on any finding. .ci/run calls it after the test suites.
#
#   scripts/api-fuzz.sh                      # as CI runs it
#   FUZZ_EXAMPLES=30 scripts/api-fuzz.sh     # a longer look
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
say() { printf '\n==> %s\n' "$*"; }
die() { printf '\napi-fuzz.sh: %s\n' "$*" >&2; exit 2; }

. scripts/venv.sh
ensure_venv
PY="$ROOT/.venv/bin/python"
EXAMPLES=${FUZZ_EXAMPLES:-8}
SECONDS_TOTAL=${FUZZ_SECONDS:-300}
work=$(mktemp -d)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() {
    "$PY" -c 'import socket, sys, time
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)' "$1" || die "nothing listening on 127.0.0.1:$1 after 30s (see $work/*.log)"
}

export APHUB_ENV=development FLASK_APP=wsgi APHUB_INSTANCE_PATH=$work MAIL_BACKEND=folder LOG_LEVEL=WARNING
command -v redis-server >/dev/null 2>&1 || die "redis-server is needed (apt-get install redis-server)"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save '' --loglevel warning >"$work/redis.log" 2>&1 &
pids+=("$!")
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
wait_for_port "$redis_port"

say "The demo trust in a fresh database ($work)"
.venv/bin/flask db upgrade >/dev/null 2>&1 || die "flask db upgrade failed"
.venv/bin/flask demo seed >/dev/null || die "flask demo seed failed"
# One token a role (the first demo user holding it), its school and an id of each kind of record there.
"$PY" -m tests.api.fuzz_setup >"$work/tokens" || die "could not issue the demo tokens"
roles=$(wc -l <"$work/tokens")
[ "$roles" -gt 0 ] || die "no demo user holds a role"
port=$(free_port)
.venv/bin/flask run --host 127.0.0.1 --port "$port" --with-threads >"$work/web.log" 2>&1 &
pids+=("$!")
wait_for_port "$port"

per_role=$((SECONDS_TOTAL / roles))
[ "$per_role" -ge 30 ] || per_role=30
say "schemathesis: $roles roles, at most $EXAMPLES examples an operation and ${per_role}s a role"
failed=0
while read -r role school token ids; do
    say "Role $role (school $school)"
    for pair in ${ids//,/ }; do export "FUZZ_${pair%%=*}=${pair#*=}"; done
    if ! FUZZ_SCHOOL=$school FUZZ_TOKEN=$token .venv/bin/schemathesis --config-file tests/api/schemathesis.toml run \
        "http://127.0.0.1:$port/api/v1/openapi.json" --max-examples "$EXAMPLES" --max-time "$per_role" \
        --checks not_a_server_error,response_schema_conformance,status_code_conformance \
        --report junit --report-junit-path "${FUZZ_REPORT_DIR:-$work}/fuzz-${role//:/-}.xml" --no-color; then
        failed=1
        echo "-- role $role: FINDINGS (above)"
    fi
done <"$work/tokens"
if grep -q "Traceback" "$work/web.log"; then
    echo "The app logged a traceback:"
    grep -A30 "Traceback" "$work/web.log" | head -80 || true  # head closes the pipe early: not a failure
    failed=1
fi
[ "$failed" = 0 ] && echo "api-fuzz: 0 server errors, 0 schema violations over $roles roles" || echo "api-fuzz: FAILED"
exit "$failed"
