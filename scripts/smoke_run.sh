#!/usr/bin/env bash
# Proves the README's first command: `make run` on a fresh database serves the Georgian LAG home,
# lets a demo user log in, and runs its worker; then Ctrl+C (SIGINT) stops everything.
# Used by .ci/run; runnable by hand. Exits non-zero, with the server's last lines, on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

scratch=$(mktemp -d /tmp/sopeli-smoke-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
log="$scratch/run.log"
jar="$scratch/cookies"
started=$(date +%s)

# A fresh database and media folder every time; a free port; two web workers are plenty here.
export SOPELI_VAR_DIR="$scratch/var" SOPELI_BIND="127.0.0.1:$port" SOPELI_WORKERS=2

fail() {
  echo "SMOKE FAILED: $*" >&2
  echo "--- last lines of make run ---" >&2
  tail -n 40 "$log" >&2
  stop_run
  exit 1
}
stop_run() {
  [[ -n "${runner:-}" ]] || return 0
  kill -INT -- -"$runner" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$runner" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- -"$runner" 2>/dev/null
  runner=""
}
trap 'stop_run; rm -rf "$scratch"' EXIT

set -m  # make run in its own process group, as a terminal would have it
make run >"$log" 2>&1 &
runner=$!
set +m

# First start installs the runtime lock, migrates and loads the demo: give it a few minutes.
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
  kill -0 "$runner" 2>/dev/null || fail "make run exited before serving"
  sleep 0.5
done
curl -fsS -o /dev/null "$base/healthz" || fail "no answer on $base/healthz after 300 s"
echo "make run serves $base after $(( $(date +%s) - started )) s"

home=$(curl -fsS "$base/ka/kazbegi/") || fail "GET /ka/kazbegi/ did not answer 200"
grep -q 'ყაზბეგ' <<<"$home" || fail "the Kazbegi LAG home has no Georgian name"
grep -q 'lang="ka"' <<<"$home" || fail "the LAG home is not served in Georgian"
echo "the Georgian LAG home answers"

# A demo person who needs no second factor: the first applicant the demo prints.
email=$(grep -Eo '^  [^ ]+@[^ ]+ +[^ ]*' "$log" | grep -iE 'applicant|member' | grep -viE 'manager|board|evaluator' | head -n 1 | awk '{print $1}')
[[ -n "$email" ]] || fail "the demo printed no applicant or member login"
password=$(grep -Eo 'password for all: [^)]+' "$log" | head -n 1 | sed 's/password for all: //')
login_page=$(curl -fsS -c "$jar" -b "$jar" "$base/ka/accounts/login/") || fail "no login page"
token=$(grep -Eo 'name="csrfmiddlewaretoken" value="[^"]+"' <<<"$login_page" | head -n 1 | sed 's/.*value="//; s/"$//')
[[ -n "$token" ]] || fail "the login page has no CSRF token"
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -e "$base/ka/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "login=$email" \
  --data-urlencode "password=$password" "$base/ka/accounts/login/")
[[ "$code" == 302 ]] || fail "logging in as $email answered $code, not a redirect"
me=$(curl -fsS -b "$jar" "$base/ka/me/") || fail "the logged-in profile page did not answer 200"
grep -q "$email" <<<"$me" || fail "after logging in, the profile page does not show $email"
echo "demo user $email logs in"

pgrep -f "manage.py qcluster" >/dev/null || fail "the worker (manage.py qcluster) is not running"
for _ in $(seq 1 90); do
  curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
  sleep 1
done
curl -fsS "$base/readyz" >/dev/null || fail "/readyz is not ready (the worker never swept the outbox): $(curl -sS "$base/readyz")"
echo "the worker runs and /readyz answers ready"

stop_run
sleep 1
if pgrep -f "manage.py qcluster" >/dev/null || pgrep -f "gunicorn -c gunicorn.conf.py" >/dev/null; then
  ps -eo pid,cmd | grep -E 'qcluster|gunicorn' | grep -v grep >&2
  fail "after Ctrl+C a web server or worker process is still running"
fi
echo "Ctrl+C stopped the web server and the worker"
echo "smoke run passed in $(( $(date +%s) - started )) s"
