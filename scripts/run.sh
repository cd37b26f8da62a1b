#!/usr/bin/env bash
# `make run`'s last step: the web server and the worker side by side, stopped together.
# Ctrl+C (or SIGTERM to make) stops both; if either dies, the other is stopped too, so a laptop never
# serves pages while nothing closes calls or delivers messages.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Each in its own process group, so stopping one takes its children (gunicorn's and qcluster's workers).
set -m
$BIN/python manage.py qcluster &
worker=$!
$BIN/gunicorn -c gunicorn.conf.py &
web=$!
set +m

stopping=0
stop() {
  [[ $stopping == 1 ]] && return
  stopping=1
  echo "Stopping Sopeli (web server and worker)…"
  # The main processes only: qcluster's own task processes die at once on SIGTERM, while its main
  # process lets them finish the task in hand; gunicorn's master stops its workers gracefully.
  kill -TERM "$web" "$worker" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$web" 2>/dev/null || kill -0 "$worker" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- -"$web" -"$worker" 2>/dev/null
  wait 2>/dev/null
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

# Whichever ends first (a crash, or a stop from outside) ends the other.
wait -n "$web" "$worker"
status=$?
if [[ $stopping == 0 ]]; then
  if kill -0 "$web" 2>/dev/null; then echo "The worker stopped (exit $status): stopping the web server too." >&2
  else echo "The web server stopped (exit $status): stopping the worker too." >&2; fi
fi
stop
exit "$status"
