# The perfbudget image used by docker-compose.yml (web and worker).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
RUN PERFBUDGET_PRODUCTION=1 DJANGO_SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "perfbudget.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
