#!/usr/bin/env bash
# CI: the production build and one page served in production mode, the way the image does it.
# Builds the static files (deploy/build_static.sh), migrates a throwaway SQLite database, starts gunicorn
# (deploy/serve.sh) with DEBUG off on a free port, fetches the login page and a static file it links to,
# and fails unless both answer 200. Everything it makes lives in a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
export PYTHON

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PERFBUDGET_PRODUCTION=1
export DJANGO_SECRET_KEY="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export PERFBUDGET_VAR_DIR="$work/var"
export DJANGO_STATIC_ROOT="$work/static"
export DATABASE_URL="sqlite:///$work/smoke.sqlite3"
export PERFBUDGET_BIND="127.0.0.1:$port" PERFBUDGET_WEB_WORKERS=1
unset DJANGO_DEBUG DJANGO_SETTINGS_MODULE CELERY_BROKER_URL REDIS_URL

echo "--- build static"
deploy/build_static.sh
echo "--- migrate"
"$PYTHON" manage.py migrate --noinput -v 0
echo "--- serve on $PERFBUDGET_BIND"
deploy/serve.sh >"$work/gunicorn.log" 2>&1 &
server=$!

"$PYTHON" - "$port" "$DJANGO_STATIC_ROOT" <<'PY' || { cat "$work/gunicorn.log"; exit 1; }
import json, re, sys, time, urllib.error, urllib.request

port, static_root = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
# The proxy in front sets X-Forwarded-Proto; without it production mode redirects to https.
headers = {"X-Forwarded-Proto": "https"}


def fetch(path):
    request = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


for _ in range(100):
    try:
        status, headers_, body = fetch("/accounts/login/")
        break
    except (urllib.error.URLError, ConnectionError):
        time.sleep(0.2)
else:
    sys.exit("gunicorn did not answer")
assert status == 200, status
page = body.decode()
assert "登录" in page, page[:500]
manifest = json.load(open(f"{static_root}/staticfiles.json"))["paths"]
linked = re.findall(r'/static/([^"]+\.css)', page)
assert linked and all(name in manifest.values() for name in linked), linked  # hashed names, from the manifest
chart = manifest["vendor/chartjs/chart.umd.min.js"]
for name in [linked[0], chart]:
    status, _, content = fetch(f"/static/{name}")
    assert status == 200 and content, (name, status)
print(f"production smoke: login page and {len(linked) + 1} static files answered 200")
PY
