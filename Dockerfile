# One image for all three apps; the command picks the app. Untested here (no Docker engine on
# the development machines); the quick-start script is the verified way to run the stack.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/control-plane/package.json apps/control-plane/
COPY apps/proxy/package.json apps/proxy/
COPY apps/siem-exporter/package.json apps/siem-exporter/
COPY libs libs
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx prisma generate && npx nx run-many -t build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
CMD ["node", "apps/proxy/dist/main.js"]
