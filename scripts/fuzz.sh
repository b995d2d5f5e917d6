#!/usr/bin/env bash
# A long property-testing campaign over read and normalize (default 10 minutes).
# Usage: scripts/fuzz.sh [SECONDS] [FIRST_SEED]. Each round runs every property with its own seed
# (FIRST_SEED, FIRST_SEED+1, ...; default from the clock, so campaigns explore new inputs; rerun a
# round with the seed it printed). Failures are printed with the smallest failing input; at the
# end, the rounds run and the examples tried (from hypothesis' statistics).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
first_seed=${2:-$(date +%s)}
end=$((SECONDS + seconds))
round=0
examples=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
while ((SECONDS < end)); do
  seed=$((first_seed + round))
  round=$((round + 1))
  python3 -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-profile=campaign --hypothesis-seed=$seed \
    --hypothesis-show-statistics >"$log" 2>&1
  status=$?
  tried=$(grep -o '[0-9]* passing' "$log" | awk '{n += $1} END {print n + 0}')
  examples=$((examples + tried))
  echo "round $round (seed $seed): $tried examples passed, exit $status"
  if ((status != 0)); then
    cat "$log"
    exit 1
  fi
done
echo "fuzz.sh: $round rounds, $examples examples in $SECONDS s, no failure"
