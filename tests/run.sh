#!/usr/bin/env bash
# The whole suite: lint, unit tests, then everything that needs the real stack on SQLite,
# then the same on PostgreSQL (a fresh database created beside TEST_POSTGRES_URL's), then
# once the failure test of the cluster shape (deploy/cluster.py, which needs PostgreSQL).
# TESTS (make test TESTS="tests/unit/test_deploy.py tests/e2e/test_pages.py") narrows both
# passes to those test files or folders (space-separated) and leaves the cluster run out.
#
# Each pass runs its test files on TEST_WORKERS pytest workers at once (pytest-xdist; a
# file stays on one worker, and each worker starts a stack of its own): most tests wait on
# a broker, a database or a browser rather than on a core. Tests marked `serial` disturb
# what every stack shares (the machine's RabbitMQ) and run alone after each pass.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
read -r -a selection <<< "${TESTS:-tests}"
workers=${TEST_WORKERS:-2}

bash deploy/install-browser.sh || status=1

# pytest over the selection: in parallel, then its serial tests alone (none selected is no failure)
run_pass() {
  local marks=$1; shift
  $BIN/python -m pytest "${selection[@]}" -q -p no:cacheprovider -n "$workers" --dist loadfile \
    -m "($marks) and not serial" "$@" || status=1
  $BIN/python -m pytest "${selection[@]}" -q -p no:cacheprovider -m "($marks) and serial" "$@"
  local rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 5 ] || status=1
}

echo "== lint"; $BIN/ruff check . || status=1
$BIN/ruff format --check . || status=1
$BIN/mypy || status=1

echo "== SQLite"
DATABASE_URL= run_pass "not cluster" --durations=25

if $BIN/python -c "import sys,psycopg2; psycopg2.connect(sys.argv[1]).close()" "$TEST_POSTGRES_URL" 2>/dev/null; then
  echo "== PostgreSQL"
  run_pass "not unit and not once and not cluster" --durations=15 --postgres
  if [ -z "${TESTS:-}" ]; then
    echo "== cluster (3 broker nodes, 2 of every process, HAProxy)"
    $BIN/python -m pytest tests/cluster -q -p no:cacheprovider -s -m cluster || status=1
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL does not answer at TEST_POSTGRES_URL: CI needs it" >&2; status=1
else
  echo "== PostgreSQL: not reachable at TEST_POSTGRES_URL, that run and the cluster run are left out"
fi
exit $status
