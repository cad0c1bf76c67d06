# Sourced by scripts/run.sh and scripts/test.sh (which define `say` and `die`): make .venv with Python 3.11+
# if missing, and install AP Hub with its locked dependencies whenever requirements.lock or pyproject.toml has changed since the last install.

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_venv() {
    if [ ! -x .venv/bin/python ]; then
        local python
        python=$(find_python) || die "Python 3.11 or newer is needed (Debian: apt-get install python3 python3-venv)."
        say "Creating .venv with $python"
        "$python" -m venv .venv || die "could not create .venv (Debian: apt-get install python3-venv)."
    fi
    # Install only when the lock or pyproject.toml changed since the last install, so a second start is quick.
    # Every package comes from requirements.lock, pinned with its hashes; AP Hub itself goes in editable, no deps.
    local stamp=.venv/.aphub-installed want
    want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing AP Hub's locked dependencies (requirements.lock) into .venv"
        .venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock \
            || die "pip could not install requirements.lock (see the message above)."
        .venv/bin/python -m pip install --quiet --no-deps -e . \
            || die "pip could not install AP Hub itself into .venv."
        echo "$want" >"$stamp"
    fi
}
