#!/usr/bin/env bash
# Install everything the test suite needs, then run it. Arguments go to pytest.
# Python packages go into the active environment; Debian's chromium and a Java runtime are
# installed with apt-get when missing (as root, or through sudo); npm installs the checkers.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'

missing=()
command -v chromium >/dev/null 2>&1 || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}"
  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
  else echo "scripts/test.sh: please install ${missing[*]}; the tests that need them will be skipped" >&2
  fi
fi
if command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi

exec python3 -m pytest "$@"
