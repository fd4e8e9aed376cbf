#!/usr/bin/env bash
# `make run`'s last step: the job worker (huey) and gunicorn, started together and stopped together.
# A signal to this script (Ctrl-C, SIGTERM) stops both; if either exits, the other is stopped too.
set -uo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"
VENV="${VENV:-.venv/bin}"
WORKERS="${JOB_WORKERS:-1}"

"$VENV/huey_consumer" worker.huey --workers "$WORKERS" --worker-type thread --flush-locks --quiet &
worker=$!
"$VENV/gunicorn" --bind "127.0.0.1:$PORT" --workers 1 --threads 4 --access-logfile - 'wsgi:app' &
web=$!

stop() {
  trap - INT TERM HUP EXIT
  kill -TERM "$web" "$worker" 2>/dev/null
  wait "$web" "$worker" 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop; exit 129' HUP
trap stop EXIT

# Whichever ends first ends the other.
wait -n "$web" "$worker"
status=$?
stop
exit "$status"
