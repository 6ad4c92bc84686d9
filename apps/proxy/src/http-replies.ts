import type { ServerResponse } from 'node:http';
import type { JsonRpcResponse } from '@mcpg/mcp';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
  return Buffer.byteLength(payload);
}

/** Plain HTTP errors (before JSON-RPC is parsed): `{ error: { code, message } }`. */
export function sendHttpError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): number {
  return sendJson(res, status, { error: { code, message } }, headers);
}

export function sendJsonRpc(res: ServerResponse, status: number, body: JsonRpcResponse | JsonRpcResponse[], headers: Record<string, string> = {}): number {
  return sendJson(res, status, body, headers);
}
