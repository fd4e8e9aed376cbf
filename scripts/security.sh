#!/usr/bin/env bash
# `make security`: bandit over app/, then sqlmap against a throwaway local instance (127.0.0.1 only).
# Fails on any finding of either.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv/bin}"

if ! command -v sqlmap >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "security: installing Debian's sqlmap"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends sqlmap >/dev/null
  else
    echo "security: please install Debian's sqlmap first (apt-get install sqlmap)" >&2
    exit 1
  fi
fi

echo "== bandit over app/ =="
"$VENV/bandit" -q -r app -f txt
echo "security: bandit found nothing"

echo "== sqlmap against a local instance =="
"$VENV/python" scripts/security_scan.py
