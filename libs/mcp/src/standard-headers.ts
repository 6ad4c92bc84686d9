import type { JsonRpcMessage } from './json-rpc.js';

/**
 * SEP-2243 (MCP 2026-07-28) mirrors the JSON-RPC method and target name into the `Mcp-Method` and
 * `Mcp-Name` request headers so intermediaries can route without parsing bodies. A gateway that
 * authorizes on the body must make sure the headers say the same thing, or one component could
 * route/authorize on one name while the server executes another.
 */
export type StandardHeaderMismatch = 'method_header_mismatch' | 'name_header_mismatch' | 'headers_on_batch';

/** `Mcp-Name` values that are not plain ASCII are sent as `=?base64?<base64 of UTF-8>?=`. */
export function decodeMcpNameHeader(value: string): string | null {
  const m = /^=\?base64\?([A-Za-z0-9+/=]*)\?=$/.exec(value);
  if (!m) return value;
  const bytes = Buffer.from(m[1]!, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== m[1]!.replace(/=+$/, '')) return null;
  return bytes.toString('utf8');
}

/** The name a message targets, as SEP-2243 defines it: `params.name` or else `params.uri`. */
export function mcpNameOf(message: JsonRpcMessage): string | undefined {
  if (!('method' in message)) return undefined;
  const params = message.params;
  if (!params || typeof params !== 'object' || Array.isArray(params)) return undefined;
  const { name, uri } = params as { name?: unknown; uri?: unknown };
  if (typeof name === 'string') return name;
  return typeof uri === 'string' ? uri : undefined;
}

/** Checks the headers (when sent) against the body; null when they agree or are absent. */
export function checkStandardHeaders(
  methodHeader: string | undefined,
  nameHeader: string | undefined,
  messages: readonly JsonRpcMessage[],
  isBatch: boolean,
): StandardHeaderMismatch | null {
  if (methodHeader === undefined && nameHeader === undefined) return null;
  // The headers describe one message; a batch cannot be described by them.
  if (isBatch || messages.length !== 1) return 'headers_on_batch';
  const message = messages[0]!;
  const method = 'method' in message ? message.method : undefined;
  if (methodHeader !== undefined && methodHeader !== method) return 'method_header_mismatch';
  if (nameHeader !== undefined) {
    const decoded = decodeMcpNameHeader(nameHeader);
    if (decoded === null || decoded !== mcpNameOf(message)) return 'name_header_mismatch';
  }
  return null;
}
