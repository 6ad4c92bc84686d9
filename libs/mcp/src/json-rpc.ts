/** JSON-RPC 2.0 as MCP uses it. Ids are strings or numbers (MCP forbids null ids on requests). */
export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown> | unknown[];
}
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown> | unknown[];
}
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}
export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  result?: unknown;
  error?: JsonRpcErrorObject;
}
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export const JSON_RPC_PARSE_ERROR = -32700;
export const JSON_RPC_INVALID_REQUEST = -32600;
export const JSON_RPC_METHOD_NOT_FOUND = -32601;
export const JSON_RPC_INVALID_PARAMS = -32602;
export const JSON_RPC_INTERNAL_ERROR = -32603;
/** Implementation-defined server errors (JSON-RPC reserves -32000…-32099). Documented in docs/errors.md. */
export const MCPG_FORBIDDEN = -32001;
export const MCPG_RATE_LIMITED = -32002;
export const MCPG_UPSTREAM_ERROR = -32003;
export const MCPG_UNAUTHORIZED = -32004;
export const MCPG_NOT_FOUND = -32005;

export function isRequest(m: JsonRpcMessage): m is JsonRpcRequest {
  return 'method' in m && 'id' in m;
}
export function isNotification(m: JsonRpcMessage): m is JsonRpcNotification {
  return 'method' in m && !('id' in m);
}
export function isResponse(m: JsonRpcMessage): m is JsonRpcResponse {
  return !('method' in m);
}

export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

export type ParsedBody =
  | { ok: true; isBatch: boolean; messages: JsonRpcMessage[] }
  | { ok: false; error: JsonRpcResponse; reason: InvalidBodyReason };

/** Why a body was refused, as recorded in audit events. */
export type InvalidBodyReason = 'parse_error' | 'empty_batch' | 'batch_too_long' | 'invalid_message';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validId(v: unknown): v is JsonRpcId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** Returns the message, or a reason it is not a valid JSON-RPC 2.0 message. */
export function validateMessage(value: unknown): JsonRpcMessage | string {
  if (!isPlainObject(value)) return 'message must be an object';
  if (value.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method.length === 0) return 'method must be a non-empty string';
    if ('params' in value && value.params !== undefined && typeof value.params !== 'object') return 'params must be an object or array';
    if (value.params === null) return 'params must be an object or array';
    if ('id' in value && !validId(value.id)) return 'id must be a string or number';
    return value as unknown as JsonRpcMessage;
  }
  if (!('id' in value) || !(validId(value.id) || value.id === null)) return 'response id must be a string, number or null';
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (hasResult === hasError) return 'response must have exactly one of result or error';
  if (hasError && !(isPlainObject(value.error) && typeof value.error.code === 'number' && typeof value.error.message === 'string'))
    return 'error must have a numeric code and a string message';
  return value as unknown as JsonRpcMessage;
}

export interface ParseLimits {
  maxBatchLength: number;
}

/** Parses an HTTP body into JSON-RPC messages (single or batch), per JSON-RPC 2.0 §4–6. */
export function parseJsonRpcBody(body: string, limits: ParseLimits = { maxBatchLength: 100 }): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'parse_error', error: errorResponse(null, JSON_RPC_PARSE_ERROR, 'Parse error: body is not valid JSON') };
  }
  const isBatch = Array.isArray(json);
  const items: unknown[] = isBatch ? (json as unknown[]) : [json];
  if (items.length === 0) return { ok: false, reason: 'empty_batch', error: errorResponse(null, JSON_RPC_INVALID_REQUEST, 'Invalid Request: empty batch') };
  if (items.length > limits.maxBatchLength)
    return {
      ok: false,
      reason: 'batch_too_long',
      error: errorResponse(null, JSON_RPC_INVALID_REQUEST, `Invalid Request: batch longer than ${limits.maxBatchLength}`),
    };
  const messages: JsonRpcMessage[] = [];
  for (const item of items) {
    const result = validateMessage(item);
    if (typeof result === 'string') {
      const id = isPlainObject(item) && validId(item.id) ? item.id : null;
      return { ok: false, reason: 'invalid_message', error: errorResponse(id, JSON_RPC_INVALID_REQUEST, `Invalid Request: ${result}`) };
    }
    messages.push(result);
  }
  return { ok: true, isBatch, messages };
}
