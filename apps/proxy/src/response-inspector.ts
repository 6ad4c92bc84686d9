import { filterToolsListResult, isResponse, SseParser, serializeSseEvent, validateMessage, type JsonRpcResponse } from '@mcpg/mcp';
import type { ToolAccess } from '@mcpg/policy';
import { rpcKey } from './rpc-key.js';

/**
 * What the proxy changes in upstream replies for one client request: `tools/list` results are
 * filtered to what the key may call, and, when the tenant turned it on, secrets are redacted
 * (`redact`, see message-redaction.ts). Everything else passes through byte-for-byte.
 */
export class ResponseInspector {
  constructor(
    private readonly key: ToolAccess,
    private readonly toolsListIds: ReadonlySet<string>,
    private readonly redact: ((message: unknown) => unknown) | null = null,
  ) {}

  get isPassThrough(): boolean {
    return this.toolsListIds.size === 0 && this.redact === null;
  }

  inspectMessage(message: unknown): unknown {
    if (this.isPassThrough) return message;
    const filtered = this.filterToolsList(message);
    return this.redact ? this.redact(filtered) : filtered;
  }

  private filterToolsList(message: unknown): unknown {
    if (this.toolsListIds.size === 0) return message;
    const valid = validateMessage(message);
    if (typeof valid === 'string' || !isResponse(valid)) return message;
    if (!this.toolsListIds.has(rpcKey(valid.id))) return message;
    return filterToolsListResult(valid as JsonRpcResponse, this.key.mayCallTool);
  }

  /** A JSON body: one message or a batch. Returns the new body, or null if it was not JSON. */
  inspectJsonBody(body: string): unknown | null {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return null;
    }
    return Array.isArray(json) ? json.map((m) => this.inspectMessage(m)) : this.inspectMessage(json);
  }
}

/**
 * Rewrites an SSE stream event by event as chunks arrive; event ids, names and comments are kept
 * so `Last-Event-ID` resumption keeps working through the proxy.
 */
export class SseRewriter {
  private readonly parser = new SseParser();
  private readonly decoder = new TextDecoder();

  constructor(private readonly inspector: ResponseInspector) {}

  push(chunk: Uint8Array): string {
    const events = this.parser.push(this.decoder.decode(chunk, { stream: true }));
    let out = '';
    for (const event of events) {
      if (event.data) {
        try {
          const json: unknown = JSON.parse(event.data);
          const inspected = this.inspector.inspectMessage(json);
          if (inspected !== json) event.data = JSON.stringify(inspected);
        } catch {
          // Not JSON: not a JSON-RPC message, forward as is.
        }
      }
      out += serializeSseEvent(event);
    }
    return out;
  }
}
