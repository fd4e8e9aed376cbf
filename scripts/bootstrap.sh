#!/usr/bin/env bash
# Install what the project needs on a fresh Debian machine: system packages (as root),
# then a virtual environment with the pinned Python packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
WANT="${1:-run}"   # run | test | bench (the test packages, PostgreSQL and wrk; no browser)

need_apt=()
# WeasyPrint (the review PDF pack) needs pango, harfbuzz, fontconfig and a font, in run and test mode.
for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libfontconfig.so.1; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    case "$lib" in
      libpango-1.0*) need_apt+=(libpango-1.0-0) ;;
      libpangoft2*) need_apt+=(libpangoft2-1.0-0) ;;
      libharfbuzz*) need_apt+=(libharfbuzz0b) ;;
      libfontconfig*) need_apt+=(libfontconfig1) ;;
    esac
  fi
done
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ "$WANT" = "test" ]; then
  [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
  # The job queue on Redis (production's REDIS_URL) is tested against a throwaway redis-server.
  command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
fi
if [ "$WANT" = "bench" ]; then
  [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
  command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "bootstrap: installing ${need_apt[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
    # The Debian package starts a cluster of its own; the tests start their own throwaway ones.
    command -v pg_ctlcluster >/dev/null 2>&1 && (pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done) || true
    # Likewise the redis-server package's own service: the tests start throwaway servers on free ports.
    [ -x /etc/init.d/redis-server ] && (/etc/init.d/redis-server stop >/dev/null 2>&1 || true) || true
  else
    echo "bootstrap: please install these Debian packages first: ${need_apt[*]}" >&2
    exit 1
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
PKGS="$WANT"
[ "$WANT" = "bench" ] && PKGS=test
stamp=.venv/.installed-$PKGS
reqs=requirements.txt
[ "$PKGS" = "test" ] && reqs=requirements-dev.txt
if [ ! -f "$stamp" ] || [ "$reqs" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$reqs"
  touch "$stamp"
fi

# The test identity provider (node-oidc-provider), from the npm registry, pinned by its lock file.
if [ "$WANT" = "test" ]; then
  if [ ! -d tests/oidc/node_modules/oidc-provider ] || [ tests/oidc/package-lock.json -nt tests/oidc/node_modules ]; then
    npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi
