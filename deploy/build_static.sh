#!/usr/bin/env sh
# The production static files: hashed names and compressed copies (whitenoise's manifest storage) in
# DJANGO_STATIC_ROOT. Run by the Dockerfile and by CI (deploy/ci_production_smoke.sh), so both build alike.
# Only the build needs these placeholder settings; the running service gets its own.
set -eu
cd "$(dirname "$0")/.."
PERFBUDGET_PRODUCTION=1 \
DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-build-only-build-only-build-only-build-only-build-only}" \
DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-build}" \
    "${PYTHON:-python}" manage.py collectstatic --noinput --clear -v 0
