import type { JsonRpcResponse } from './json-rpc.js';

/**
 * Removes the tools a principal may not call from a `tools/list` result, so a client never
 * learns of tools it cannot use. Returns the same object when nothing changed.
 */
export function filterToolsListResult(response: JsonRpcResponse, mayCallTool: (name: string) => boolean): JsonRpcResponse {
  const result = response.result as { tools?: unknown } | undefined;
  if (!result || !Array.isArray(result.tools)) return response;
  const tools = result.tools.filter(
    (t: unknown) => typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string' && mayCallTool((t as { name: string }).name),
  );
  if (tools.length === result.tools.length) return response;
  return { ...response, result: { ...result, tools } };
}
