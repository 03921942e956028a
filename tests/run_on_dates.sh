#!/usr/bin/env bash
# The non-browser tests on the days that break date code, with libfaketime moving the wall clock of pytest and of
# every process it starts (the site server, PostgreSQL). The clock starts at each instant below and runs on.
#
#   tests/run_on_dates.sh                 every unit and server test, on both databases, on each day (make test-dates)
#   tests/run_on_dates.sh --quick         what make test runs: the tests that can read a clock (not marked
#                                         clockless), on SQLite only, with 5 fault-injection trials a day
#   tests/run_on_dates.sh PYTEST-ARGS...  these tests on each day, e.g. tests/unit/test_booking.py
#
# Why --quick: the whole check is six runs of the non-browser suite, about 25 minutes on two cores; make test must
# finish in 20 with the browser tests. Clockless tests are pure functions of the files or data they are given, and
# the PostgreSQL half repeats the SQLite half's clock use on another database; both still run once in make test.
#
# Instants are UTC, chosen where England's date and UTC's differ or the clocks change during the run: the leap day;
# 00:30 GMT on 28 March 2027 (the clocks go forward at 01:00 UTC); 23:30 UTC on 30 October 2027, which is 00:30 BST
# on 31 October, the day they go back; the last and the first day of a year; and a year from the day of the run.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { echo "faketime is missing: apt-get install faketime (make test does this)"; exit 2; }

PYTEST=(.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile)
# The randomised fault trials test the network, not the calendar: a few show sync still works on each day; the
# full 1,000 run once in make test.
export COURTSIDE_FAULT_TRIALS=20
if [ "${1:-}" = "--quick" ]; then
  shift
  export COURTSIDE_FAULT_TRIALS=5
  PYTEST+=(-m "not clockless" -k "not postgresql")
fi
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(tests/unit tests/server)

INSTANTS=(
  "2028-02-29 09:00:00"
  "2027-03-28 00:30:00"
  "2027-10-30 23:30:00"
  "2027-12-31 12:00:00"
  "2028-01-01 12:00:00"
  "$(date -u -d '+1 year' '+%Y-%m-%d 12:00:00')"
)

# libfaketime must leave the monotonic clock alone, and Python's sleep then needs the shim in tests/faketime
# (its sitecustomize.py says why); PYTHONPATH carries it into every Python process the tests start.
failed=()
for when in "${INSTANTS[@]}"; do
  echo "=== the clock at $when UTC"
  if ! TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 PYTHONPATH="$PWD/tests/faketime${PYTHONPATH:+:$PYTHONPATH}" \
      faketime "$when" "${PYTEST[@]}" "${ARGS[@]}"; then
    failed+=("$when")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "date check FAILED on: ${failed[*]}"
  exit 1
fi
echo "date check passed on all ${#INSTANTS[@]} days"
