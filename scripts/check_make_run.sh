#!/usr/bin/env bash
# CI check that the README's first command works on a clean checkout:
#   1. start `make run` in the background, in its own process group (session),
#      with all output in a log file;
#   2. poll http://127.0.0.1:$PORT/auth/login until it answers HTTP 200 with a
#      password field (up to $TIMEOUT seconds, default 240);
#   3. check the log shows the demo logins: a line containing "Demo logins",
#      followed (within the next 40 lines) by at least 5 lines with an e-mail address;
#   4. print PASS, or FAIL plus the tail of the log; always kill the whole
#      process group on exit.
# Environment: PORT (default 5000), TIMEOUT (seconds, default 240),
#              LOG_FILE (default: a new temp file; its path is printed).
set -euo pipefail

cd "$(dirname "$0")/.."

PORT="${PORT:-5000}"
TIMEOUT="${TIMEOUT:-240}"
LOG_FILE="${LOG_FILE:-$(mktemp "${TMPDIR:-/tmp}/make-run.XXXXXX")}"
URL="http://127.0.0.1:${PORT}/auth/login"
MIN_LOGINS=5
export PORT

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/check-make-run.XXXXXX")"
pgid_file="$work_dir/pgid"
body_file="$work_dir/body"
pgid=""

group_alive() {
  [ -n "$pgid" ] && kill -0 -- "-$pgid" 2>/dev/null
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if group_alive; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      group_alive || break
      sleep 0.5
    done
    if group_alive; then
      echo "check_make_run: process group $pgid ignored SIGTERM; sending SIGKILL" >&2
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
  fi
  wait 2>/dev/null || true
  rm -rf "$work_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail() {
  echo "FAIL: $*"
  echo "----- last 60 lines of $LOG_FILE -----"
  tail -n 60 "$LOG_FILE" 2>/dev/null || echo "(log file missing)"
  echo "--------------------------------------"
  exit 1
}

# Refuse to test some other server that already holds the port.
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:${PORT}/"; then
  echo "FAIL: something is already listening on 127.0.0.1:${PORT}; stop it or set PORT"
  exit 1
fi

echo "check_make_run: starting 'make run' (PORT=$PORT), log: $LOG_FILE"
# setsid gives make (and everything it starts) a session and process group of
# its own; the inner shell records its pid, which is that group's id, then
# becomes make via exec.
# shellcheck disable=SC2016  # $$ and $1 belong to the inner shell
PYTHONUNBUFFERED=1 setsid bash -c 'echo "$$" > "$1"; exec make run' _ "$pgid_file" \
  >"$LOG_FILE" 2>&1 </dev/null &

for _ in $(seq 1 50); do
  [ -s "$pgid_file" ] && break
  sleep 0.1
done
pgid="$(cat "$pgid_file" 2>/dev/null || true)"
[ -n "$pgid" ] || fail "could not start 'make run' in its own process group"

deadline=$((SECONDS + TIMEOUT))
ready=""
last_code=""
while [ "$SECONDS" -lt "$deadline" ]; do
  last_code="$(curl -s -o "$body_file" -w '%{http_code}' --max-time 5 "$URL" || true)"
  if [ "$last_code" = "200" ] && grep -q 'name="password"' "$body_file"; then
    ready=1
    break
  fi
  # make is the group leader: once it is gone there is nothing left to wait for.
  if ! kill -0 "$pgid" 2>/dev/null || ps -o stat= -p "$pgid" 2>/dev/null | grep -q Z; then
    fail "'make run' exited before $URL answered"
  fi
  sleep 2
done
if [ -z "$ready" ]; then
  if [ "$last_code" = "200" ]; then
    fail "$URL answered 200 but the page has no name=\"password\" field (after ${TIMEOUT}s)"
  fi
  fail "$URL did not answer HTTP 200 within ${TIMEOUT}s (last status: ${last_code:-none})"
fi
echo "check_make_run: $URL answered 200 with a password field after ${SECONDS}s"

# The demo logins: a "Demo logins" header, then at least MIN_LOGINS e-mail lines.
logins="$(awk -v min="$MIN_LOGINS" '
  found && seen < 40 { seen++; if ($0 ~ /[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+/) n++ }
  !found && index($0, "Demo logins") { found = 1 }
  END { if (!found) print "none"; else print n + 0 }
' "$LOG_FILE")"
if [ "$logins" = "none" ]; then
  fail "the log has no 'Demo logins' header"
fi
if [ "$logins" -lt "$MIN_LOGINS" ]; then
  fail "the log shows only $logins demo login line(s) with an e-mail after 'Demo logins' (need $MIN_LOGINS)"
fi

echo "----- demo logins printed by make run -----"
awk 'found && seen < 40 { seen++; print } !found && index($0, "Demo logins") { found = 1; print }' "$LOG_FILE" \
  | grep -E 'Demo logins|@' || true
echo "-------------------------------------------"
echo "PASS: 'make run' served $URL and printed $logins demo logins"
