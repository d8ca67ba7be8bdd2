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
# The same two scripts CI runs (deploy/ci_production_smoke.sh): build the static files, then serve them.
RUN deploy/build_static.sh
EXPOSE 8000
CMD ["deploy/serve.sh"]
