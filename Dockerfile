# syntax=docker/dockerfile:1

# --- build: compile TypeScript with the full dependency tree
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/clock/package.json ./packages/clock/
COPY packages/client/package.json ./packages/client/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY packages/clock ./packages/clock
COPY packages/client ./packages/client
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# --- runtime: production dependencies only, as an unprivileged user
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/clock/package.json ./packages/clock/
COPY packages/client/package.json ./packages/client/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The clock rules the server runs on (the workspace package @synckairos/clock).
COPY --from=build /app/packages/clock/dist ./packages/clock/dist
# The SDK's builds: the demo page (/demo) serves its browser bundle.
COPY --from=build /app/packages/client/dist ./packages/client/dist
USER node
EXPOSE 3000
# With INTERNAL_PORT=9090 (compose, Kubernetes): metrics, health details, docs, queue dashboard.
EXPOSE 9090
# Liveness only: /health never looks outside the process.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The API; the worker runs the same image with: node dist/src/worker.js
CMD ["node", "dist/src/main.js"]
