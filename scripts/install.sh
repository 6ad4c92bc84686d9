#!/usr/bin/env bash
# Installs everything the project needs from nothing: Node 24, npm packages, the generated
# Prisma client and the built apps. Safe to re-run; skips what is already up to date.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
cd "$MCPG_ROOT"

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f node_modules/.mcpg-lock-hash ] || [ "$(cat node_modules/.mcpg-lock-hash)" != "$lock_hash" ]; then
  echo "› npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_hash" > node_modules/.mcpg-lock-hash
fi

echo "› prisma generate" >&2
npx prisma generate >/dev/null

echo "› build (nx run-many -t build)" >&2
npx nx run-many -t build --outputStyle=static >/dev/null
