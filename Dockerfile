# Svitok: multi-stage build. The runtime image is distroless (glibc, libssl, CA
# certificates; no shell, no package manager) and runs as the unprivileged user 65532.
#   docker build -t svitok .
#   docker run -p 8080:8080 -v svitok-data:/var/lib/svitok svitok
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin svitok \
    && install -d -o 65532 -g 65532 /out/data \
    && install -m 0755 target/release/svitok /out/svitok

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/svitok /usr/local/bin/svitok
COPY --from=build --chown=65532:65532 /out/data /var/lib/svitok
ENV SVITOK_LISTEN=0.0.0.0:8080 \
    SVITOK_DATA_DIR=/var/lib/svitok \
    SVITOK_LOG_FORMAT=json
VOLUME ["/var/lib/svitok"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/svitok"]
CMD ["serve"]
