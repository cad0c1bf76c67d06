#!/usr/bin/env bash
# Set everything up and run AP Hub on its embedded defaults, demo trust included: the web app, two RQ workers
# (email with --simple, the rest forking; each with its scheduler), the periodic runner and a Redis. Needs only Python 3.11+; uses redis-server where it
# is installed, else an in-memory stand-in. Ctrl-C (or SIGTERM) stops everything it started.
#
#   scripts/run.sh                 # http://127.0.0.1:5000
#   PORT=8000 scripts/run.sh       # another port
#
# Safe to run again: it reuses .venv and the database in ./instance (development data only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\nrun.sh: %s\n' "$*" >&2; exit 1; }

# --- Python and the virtual environment ---------------------------------------------------------------------
. scripts/venv.sh
ensure_venv
PY="$ROOT/.venv/bin/python"
FLASK="$ROOT/.venv/bin/flask"

# --- Settings: the embedded development defaults -------------------------------------------------------------
export APHUB_ENV=development
export FLASK_APP=wsgi
export APHUB_INSTANCE_PATH=${APHUB_INSTANCE_PATH:-$ROOT/instance}
PORT=${PORT:-5000}
export BASE_URL=${BASE_URL:-http://127.0.0.1:$PORT}
mkdir -p "$APHUB_INSTANCE_PATH"

port_is_free() {
    "$PY" -c 'import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() {  # port, seconds, what
    "$PY" -c 'import socket, sys, time
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)' "$1" "$2" || die "$3 did not start listening on 127.0.0.1:$1 within $2s."
}

port_is_free "$PORT" || die "port $PORT is in use: stop what is using it or choose another, e.g. PORT=8000 scripts/run.sh"

say "Database: migrations and the demo trust ($APHUB_INSTANCE_PATH)"
"$FLASK" db upgrade
"$FLASK" demo seed --if-empty >/dev/null  # the sign-ins are printed once everything is up

# --- The processes, each in its own process group so stopping one stops its children too ---------------------
names=()
pids=()
start() {  # name, command...
    local name=$1
    shift
    setsid "$@" &
    names+=("$name")
    pids+=("$!")
}

stopping=0
stop_all() {
    [ "$stopping" = 1 ] && return
    stopping=1
    trap - INT TERM
    # Keep going whatever happens to our own output (`scripts/run.sh | tee log` loses tee to the same Ctrl-C).
    set +e
    trap '' PIPE
    say "Stopping AP Hub"
    local i pid
    # Newest first: the web app and workers before the Redis they use.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid=${pids[$i]}
        kill -0 "$pid" 2>/dev/null || continue
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "  ${names[$i]} did not stop within 10s; killing it"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
        echo "  stopped ${names[$i]}"
    done
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

if [ -n "${REDIS_URL:-}" ]; then
    say "Redis: using REDIS_URL=$REDIS_URL"
else
    redis_port=6379
    port_is_free "$redis_port" || redis_port=$(free_port)
    export REDIS_URL="redis://127.0.0.1:$redis_port/0"
    if command -v redis-server >/dev/null 2>&1; then
        say "Redis: redis-server on 127.0.0.1:$redis_port"
        mkdir -p "$APHUB_INSTANCE_PATH/redis"
        start redis redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$APHUB_INSTANCE_PATH/redis" \
            --loglevel warning
    else
        say "Redis: redis-server is not installed; using the in-memory stand-in on 127.0.0.1:$redis_port" \
            "(keeps nothing across restarts; apt-get install redis-server for the real one)"
        start redis "$PY" -m jobs.embedded_redis --port "$redis_port"
    fi
    wait_for_port "$redis_port" 15 "Redis"
fi

say "Jobs: an email worker (--simple: jobs in-process), a worker for the rest, and the periodic runner"
# As in the Procfile and deploy/systemd: email is served by a --simple worker (a sweep's emails in batches over
# one SMTP connection, no fork per job); sweeps and other work by a forking one (a work-horse per job).
start mail-worker "$FLASK" jobs worker --simple --queues urgent,email
start worker "$FLASK" jobs worker --queues sweeps,default
if "$FLASK" jobs cron --help >/dev/null 2>&1; then
    start cron "$FLASK" jobs cron
else
    echo "  'flask jobs cron' is not in this version yet: periodic work (sweeps, reminders) will not run."
fi

say "Web: flask run on 127.0.0.1:$PORT"
start web "$FLASK" run --host 127.0.0.1 --port "$PORT"
wait_for_port "$PORT" 30 "The web app"

cat <<EOF

================================================================================
 AP Hub is running: $BASE_URL/
================================================================================
EOF
"$FLASK" demo sign-ins || true
if [ "${MAIL_BACKEND:-folder}" = folder ]; then
    echo
    echo "Email is not sent in development: each message is written to ${MAIL_FOLDER:-$APHUB_INSTANCE_PATH/mail}/"
fi
echo "Redis: $REDIS_URL    Database and uploads: $APHUB_INSTANCE_PATH/"
echo "Press Ctrl-C to stop."
echo

# Run until interrupted, or until one of the processes stops by itself (then stop the rest: a half-running
# app would look fine while no reminder is ever sent).
set +e
while :; do
    wait -n
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[$i]}" 2>/dev/null; then
            printf '\nrun.sh: %s stopped unexpectedly; stopping the rest.\n' "${names[$i]}" >&2
            stop_all
            exit 1
        fi
    done
done
