# One image, two roles (docs/docker.md):
#   a Raft node (the default):  docker run --network raft --name node1 -e NODE_ID=1 \
#                                 -e PEERS=node2:5000,node3:5000 -p 5001:5000 raft-node
#   the lab:                    docker run ... raft-node node --import tsx server/lab/main.ts \
#                                 --backend docker --host 0.0.0.0 --port 8080
#
# Builds without dev tooling in the result: the build stage installs everything from the lock
# file and builds the web app; the runtime stage gets production packages, the server and
# lesson sources (the lab runs as TypeScript by tsx), the node bundled into one file, and the
# built web app only.

FROM node:20-slim AS build
WORKDIR /app
# Package files first, so editing sources does not re-run the install.
COPY package.json package-lock.json ./
# --ignore-scripts: prepare.mjs and friends are for developers' clones, not for image builds.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# Then keep production packages only, without the type declarations, source maps and package
# docs that nothing reads at run time (about 11 MB).
RUN npm run build \
 && node --import tsx server/cluster/node-bundle.ts /app/node-main.mjs \
 && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf node_modules/.cache \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete

FROM node:20-slim AS runtime
LABEL org.opencontainers.image.title="raft-node" \
      org.opencontainers.image.description="Raft Lab: a Raft node (default) or the lab server"
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH \
    PORT=5000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/server ./server
COPY --from=build /app/lessons ./lessons
COPY --from=build /app/web/dist ./web/dist
# The node as one file (server/cluster/node-bundle.ts): it starts in a third of the time and holds
# about half the memory of the node run as TypeScript through tsx. The lab still runs with tsx.
COPY --from=build /app/node-main.mjs ./node-main.mjs
# The data directory belongs to the unprivileged user; a named volume mounted there starts
# as a copy of it, ownership included, so the node can write its term, vote and log.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5000 8080
# The probe is bash's /dev/tcp, not `node -e fetch(...)`: starting Node for each probe cost
# 100–300 ms of CPU every 5 s per container (a quarter of a core for a 5-node cluster at idle,
# five cores for a 20-learner classroom); bash answers in a few ms. It asks the node's /status
# (or HEALTHCHECK_URL, http://host:port/path, for the lab); healthy = an HTTP 200.
HEALTHCHECK --interval=5s --timeout=10s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "u=${HEALTHCHECK_URL:-http://127.0.0.1:${PORT:-5000}/status}; u=${u#http://}; hp=${u%%/*}; p=/${u#*/}; exec 3<>/dev/tcp/${hp%:*}/${hp##*:} && printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' \"$p\" \"$hp\" >&3 && read -r -t 8 s c _ <&3 && [ \"$c\" = 200 ]"]
# Exec form and no npm/tsx wrapper in between: node is the container's main process, gets
# docker stop's SIGTERM itself and exits at once (the node handles SIGTERM).
CMD ["node", "node-main.mjs"]
