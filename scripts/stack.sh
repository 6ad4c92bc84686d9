#!/usr/bin/env bash
# Quick-start: installs what is needed, applies migrations and runs the whole stack in the
# foreground — control plane, one proxy, one SIEM exporter and a demo upstream MCP server — then
# prints the GraphQL URL, the MCP URL and a fresh demo API key. Ctrl-C stops everything.
# Needs PostgreSQL and Redis on 127.0.0.1 (see README). State (keys, logs, audit file) goes to .mcpg/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
cd "$MCPG_ROOT"
bash scripts/install.sh

STATE_DIR="${MCPG_STATE_DIR:-$MCPG_ROOT/.mcpg}"
mkdir -p "$STATE_DIR/logs"
chmod 700 "$STATE_DIR"

export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/mcpg}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export CONTROL_PLANE_PORT="${CONTROL_PLANE_PORT:-4000}"
export PROXY_PORT="${PROXY_PORT:-8080}"
DEMO_UPSTREAM_PORT="${DEMO_UPSTREAM_PORT:-3001}"
export MCPG_AUDIT_FILE="${MCPG_AUDIT_FILE:-$STATE_DIR/audit.jsonl}"

echo "› migrations" >&2
node tools/migrate.mjs deploy >&2

# Snapshot signing key: from the environment, else generated once into .mcpg/.
if [ -z "${MCPG_SNAPSHOT_SIGNING_KEY:-}" ]; then
  [ -f "$STATE_DIR/snapshot-signing-key.pem" ] || node tools/generate-snapshot-keys.mjs "$STATE_DIR"
  MCPG_SNAPSHOT_SIGNING_KEY="$(cat "$STATE_DIR/snapshot-signing-key.pem")"
  : "${MCPG_SNAPSHOT_PUBLIC_KEYS:=$(cat "$STATE_DIR/snapshot-public-key.pem")}"
fi
if [ -z "${MCPG_SNAPSHOT_PUBLIC_KEYS:-}" ]; then
  MCPG_SNAPSHOT_PUBLIC_KEYS="$(node -e 'const c=require("node:crypto");process.stdout.write(c.createPublicKey(process.env.MCPG_SNAPSHOT_SIGNING_KEY.replace(/\\n/g,"\n")).export({type:"spki",format:"pem"}))')"
fi
export MCPG_SNAPSHOT_SIGNING_KEY MCPG_SNAPSHOT_PUBLIC_KEYS
if [ -z "${MCPG_ADMIN_TOKEN:-}" ]; then
  [ -f "$STATE_DIR/admin-token" ] || (umask 077; node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64url"))' > "$STATE_DIR/admin-token")
  MCPG_ADMIN_TOKEN="$(cat "$STATE_DIR/admin-token")"
fi
export MCPG_ADMIN_TOKEN
# Session-sealing key of the region (apps/proxy/src/session-seal.ts): generated once into .mcpg/.
if [ -z "${MCPG_SESSION_KEYS:-}" ]; then
  [ -f "$STATE_DIR/session-keys" ] || (umask 077; node -e 'process.stdout.write("k1:"+require("node:crypto").randomBytes(32).toString("base64"))' > "$STATE_DIR/session-keys")
  MCPG_SESSION_KEYS="$(cat "$STATE_DIR/session-keys")"
fi
export MCPG_SESSION_KEYS
# Seals tenant-sink credentials; the control plane and the exporter need the same key.
if [ -z "${MCPG_SINK_SECRET_KEY:-}" ]; then
  [ -f "$STATE_DIR/sink-secret-key" ] || (umask 077; node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))' > "$STATE_DIR/sink-secret-key")
  MCPG_SINK_SECRET_KEY="$(cat "$STATE_DIR/sink-secret-key")"
fi
export MCPG_SINK_SECRET_KEY
# Key sealing upstream credentials at rest and in snapshots (libs/policy/src/secret-box.ts): control plane and proxies.
if [ -z "${MCPG_UPSTREAM_CREDENTIALS_KEY:-}" ]; then
  [ -f "$STATE_DIR/upstream-credentials-key" ] || (umask 077; node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))' > "$STATE_DIR/upstream-credentials-key")
  MCPG_UPSTREAM_CREDENTIALS_KEY="$(cat "$STATE_DIR/upstream-credentials-key")"
fi
export MCPG_UPSTREAM_CREDENTIALS_KEY

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo "› stopping" >&2
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
start() { # name, command...
  local name="$1"; shift
  "$@" >"$STATE_DIR/logs/$name.log" 2>&1 &
  pids+=("$!")
  echo "› started $name (pid $!, log .mcpg/logs/$name.log)" >&2
}

start demo-upstream env PORT="$DEMO_UPSTREAM_PORT" node node_modules/@modelcontextprotocol/server-everything/dist/index.js streamableHttp
start control-plane node apps/control-plane/dist/main.js
start proxy node apps/proxy/dist/main.js
start siem-exporter node apps/siem-exporter/dist/main.js

GRAPHQL_URL="http://127.0.0.1:$CONTROL_PLANE_PORT/graphql"
node scripts/wait-for-http.mjs "http://127.0.0.1:$DEMO_UPSTREAM_PORT/mcp" "$GRAPHQL_URL" "http://127.0.0.1:$PROXY_PORT/readyz"
DEMO_KEY="$(GRAPHQL_URL="$GRAPHQL_URL" DEMO_UPSTREAM_URL="http://127.0.0.1:$DEMO_UPSTREAM_PORT/mcp" node scripts/demo-setup.mjs)"

cat <<TXT

MCP Guard is running.
  GraphQL (admin):  $GRAPHQL_URL
                    Authorization: Bearer $MCPG_ADMIN_TOKEN   (also in .mcpg/admin-token)
  MCP endpoint:     http://127.0.0.1:$PROXY_PORT/t/demo/everything/mcp
  Demo API key:     $DEMO_KEY
                    (allowed tools: ${DEMO_TOOL_GLOBS:-echo,get-sum,get-tiny-image}; shown once, only its hash is stored)
  Audit log:        $MCPG_AUDIT_FILE${SPLUNK_HEC_URL:+ and Splunk HEC at $SPLUNK_HEC_URL}

Try it:
  curl -sN http://127.0.0.1:$PROXY_PORT/t/demo/everything/mcp -H "Authorization: Bearer $DEMO_KEY" \\
    -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \\
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
Ctrl-C stops the stack.
TXT

# Stop everything as soon as one part dies.
wait -n "${pids[@]}" || true
echo "› a process exited; see .mcpg/logs/" >&2
