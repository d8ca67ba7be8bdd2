#!/usr/bin/env sh
# The web process of the image (Dockerfile CMD, docker-compose.yml `web`) and of CI's production smoke test.
# PERFBUDGET_BIND (default 0.0.0.0:8000) and PERFBUDGET_WEB_WORKERS (default 3) adjust it.
set -eu
cd "$(dirname "$0")/.."
exec "${PYTHON:-python}" -m gunicorn perfbudget.wsgi:application \
    --bind "${PERFBUDGET_BIND:-0.0.0.0:8000}" --workers "${PERFBUDGET_WEB_WORKERS:-3}" --access-logfile -
