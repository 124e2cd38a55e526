# Third Neighbor game server: a two-stage build (Rust builder, then a slim Debian runtime).
#   docker build -t third-neighbor .
#   docker run -p 8080:8080 -v third-neighbor-data:/data third-neighbor

FROM rust:1 AS builder
WORKDIR /src
# Build the dependencies first, so that they are cached while only the sources change.
COPY Cargo.toml Cargo.lock build.rs ./
COPY benches ./benches
RUN mkdir -p src scenarios migrations client \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked || true
COPY . .
# Make sure cargo sees the real sources as newer than the placeholders above.
RUN touch src/main.rs src/lib.rs build.rs && cargo build --release --locked --bin third-neighbor

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /data --shell /usr/sbin/nologin third-neighbor \
    && mkdir -p /data /app \
    && chown third-neighbor /data
COPY --from=builder /src/target/release/third-neighbor /usr/local/bin/third-neighbor
COPY --from=builder /src/scenarios /app/scenarios
WORKDIR /app
USER third-neighbor
ENV THIRD_NEIGHBOR_ADDR=0.0.0.0:8080 \
    THIRD_NEIGHBOR_DB=/data/third-neighbor.db \
    THIRD_NEIGHBOR_SCENARIOS=/app/scenarios \
    RUST_LOG=info
VOLUME ["/data"]
EXPOSE 8080
# Graceful shutdown happens on SIGTERM (docker stop): sockets close with 1001, the writer commits.
STOPSIGNAL SIGTERM
# The binary asks its own /healthz (no curl in the image): exit 0 on 200, else 1 with the reason.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["third-neighbor", "health"]
CMD ["third-neighbor", "serve"]
