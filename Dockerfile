# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY content ./content
COPY scheduler ./scheduler
COPY storage ./storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 studybot && mkdir /data && chown studybot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER studybot
ENV STUDYBOT_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
WORKDIR /home/studybot
CMD ["studybot", "run"]
