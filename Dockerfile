# The staff-accounts image: the same image runs `serve` (default), `migrate` and
# `worker`; see docker-compose.yml for the production shape.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml ./
COPY backend ./backend
COPY frontend ./frontend
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app

# The installed package carries the SPA (frontend/ is package data of backend.frontend),
# so the code runs from site-packages like any installed wheel.
ENV HOST=0.0.0.0 \
    PORT=8000

USER app
EXPOSE 8000
CMD ["staff-accounts", "serve"]
