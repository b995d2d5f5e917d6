#!/usr/bin/env bash
# A long property-testing campaign over read and normalize (default 10 minutes).
# Usage: scripts/fuzz.sh [SECONDS]. Failures are printed with the smallest failing input.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
end=$((SECONDS + seconds))
round=0
while ((SECONDS < end)); do
  round=$((round + 1))
  python3 -m pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-profile=campaign --hypothesis-seed=$round || exit 1
done
echo "fuzz.sh: $round rounds in $seconds s, no failure"
