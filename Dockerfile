# The asmpvl image: the admission webhook (entry point) and asmpvl-controller
# (`node /app/dist/asmpvl-controller.cjs`), the chart's image.repository. With a Docker engine:
#   docker build -t <your-registry>/asmpvl:0.1.0 .
#
# Without one, `scripts/build-image.sh` writes the same contents as an OCI archive; that is the
# build this repository tests (test/e2e/image.e2e.test.ts). This file has not been built here (no
# Docker engine on the development machine); it mirrors the script: Node.js and the glibc,
# libstdc++ and libgcc_s it links against (Debian 12, as in distroless/cc), user 65532, the two
# bundles, nothing else.

ARG NODE_VERSION=24.21.0

# Build: the same `npm ci && npm run build` as a developer runs. The lockfile is copied first so the
# dependency layer is reused while only sources change.
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: esbuild bundles every dependency into one CommonJS file per program, so the image holds
# Node.js and those files only: no npm, no node_modules, no sources, no shell.
FROM gcr.io/distroless/cc-debian12:nonroot
ENV NODE_ENV=production PATH=/usr/local/bin:/usr/bin:/bin
COPY --from=build --chown=0:0 --chmod=0555 /usr/local/bin/node /usr/local/bin/node
COPY --from=build --chown=0:0 --chmod=0444 /src/dist/asmpvl-webhook.cjs /src/dist/asmpvl-controller.cjs /app/dist/
WORKDIR /app
# Numeric, so the kubelet can check runAsNonRoot without a passwd entry; the chart's
# securityContext.runAsUser defaults to the same id.
USER 65532:65532
EXPOSE 9443 8081
ENTRYPOINT ["node", "/app/dist/asmpvl-webhook.cjs"]
