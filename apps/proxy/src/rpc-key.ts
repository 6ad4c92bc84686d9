import type { JsonRpcId } from '@mcpg/mcp';

/** JSON-RPC ids 1 and "1" are different requests; keep them apart in sets. */
export function rpcKey(id: JsonRpcId | null | undefined): string {
  return typeof id === 'number' ? `n:${id}` : `s:${String(id)}`;
}
