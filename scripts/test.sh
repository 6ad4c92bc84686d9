#!/usr/bin/env bash
# Runs every test: type checks, unit, integration and end-to-end (vitest).
# Needs PostgreSQL and Redis on 127.0.0.1 (see README); installs what is missing first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
cd "$MCPG_ROOT"
bash scripts/install.sh
echo "› typecheck" >&2
npx tsc -p tsconfig.json --noEmit
echo "› boundaries" >&2
node scripts/check-boundaries.mjs
echo "› vitest" >&2
npx vitest run "$@"
