#!/usr/bin/env bash
# The non-browser tests on the days that break date code, with libfaketime moving the clock of pytest and of every
# process it starts (the site server, PostgreSQL). The clock starts at each instant below and runs on from there.
#   usage: tests/run_on_dates.sh [pytest args...]     (default: tests/unit tests/server)
# Instants are UTC, chosen so the run sits where a UTC date and England's date differ or the clocks change:
#   leap day; 00:30 GMT on 28 March 2027 (clocks go forward at 01:00 UTC, during the run); 23:30 UTC on
#   30 October 2027 = 00:30 BST on 31 October, the day the clocks go back; the last and first days of a year;
#   and a year from the day of the run.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=(.venv/bin/python -m pytest -q -p no:cacheprovider)
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(tests/unit tests/server)
command -v faketime >/dev/null || { echo "faketime is missing: apt-get install faketime (make test does this)"; exit 2; }

INSTANTS=(
  "2028-02-29 09:00:00"
  "2027-03-28 00:30:00"
  "2027-10-30 23:30:00"
  "2027-12-31 12:00:00"
  "2028-01-01 12:00:00"
  "$(date -u -d '+1 year' '+%Y-%m-%d 12:00:00')"
)

# The randomised fault trials test the network, not the calendar: a few of them show that sync still works on
# each day, and the full 1,000 run once in `make test`.
export COURTSIDE_FAULT_TRIALS=20

failed=()
for when in "${INSTANTS[@]}"; do
  echo "=== the clock at $when UTC"
  if ! TZ=UTC faketime "$when" "${PYTEST[@]}" "${ARGS[@]}"; then
    failed+=("$when")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "date check FAILED on: ${failed[*]}"
  exit 1
fi
echo "date check passed on all ${#INSTANTS[@]} days"
