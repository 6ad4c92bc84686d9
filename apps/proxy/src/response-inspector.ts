import {
  FILTERED_LISTS,
  filterListResult,
  isResponse,
  SseParser,
  serializeSseEvent,
  validateMessage,
  type FilteredListMethod,
  type JsonRpcResponse,
  type SseEvent,
} from '@mcpg/mcp';
import type { ToolAccess } from '@mcpg/policy';
import { rpcKey } from './rpc-key.js';
import type { ToolResultAudit } from './tool-result-audit.js';

/** The list method whose result carries this array field, recognised by shape alone. */
const LIST_BY_FIELD = new Map(Object.entries(FILTERED_LISTS).map(([method, { field }]) => [field, method as FilteredListMethod]));

/**
 * What the proxy changes in upstream replies for one client request: `tools/list`,
 * `resources/list`, `resources/templates/list` and `prompts/list` results are filtered to what
 * the principal may use, and, when the tenant turned it on, secrets are redacted (`redact`, see
 * message-redaction.ts). Everything else passes through byte-for-byte. When the tenant records
 * tool results, `toolResults` sees each message first, as the upstream sent it (it only reads).
 *
 * On a POST the proxy knows which request ids were list requests. On a GET stream it does not
 * (a resumed stream may replay answers to earlier POSTs), so there every result is filtered by
 * its shape: a result carrying a `tools`/`resources`/`resourceTemplates`/`prompts` array.
 */
export class ResponseInspector {
  constructor(
    private readonly key: ToolAccess,
    private readonly listIds: ReadonlyMap<string, FilteredListMethod> | 'by-shape',
    private readonly redact: ((message: unknown) => unknown) | null = null,
    private readonly toolResults: ToolResultAudit | null = null,
  ) {}

  /** Nothing to change and nothing to look at: the reply can be relayed without parsing it. */
  get isPassThrough(): boolean {
    return !this.isRewriting && !this.toolResults?.isAwaiting;
  }

  /** Whether messages may come out changed (otherwise they are at most looked at). */
  get isRewriting(): boolean {
    return this.listIds === 'by-shape' || this.listIds.size > 0 || this.redact !== null;
  }

  private matcherFor(method: FilteredListMethod): (name: string) => boolean {
    if (method === 'tools/list') return this.key.mayCallTool;
    if (method === 'prompts/list') return this.key.mayGetPrompt;
    return this.key.mayReadResource;
  }

  private listMethodOf(response: JsonRpcResponse): FilteredListMethod | undefined {
    if (this.listIds !== 'by-shape') return this.listIds.get(rpcKey(response.id));
    const result = response.result;
    if (typeof result !== 'object' || result === null) return undefined;
    for (const [field, method] of LIST_BY_FIELD) if (Array.isArray((result as Record<string, unknown>)[field])) return method;
    return undefined;
  }

  inspectMessage(message: unknown): unknown {
    this.toolResults?.observe(message);
    if (!this.isRewriting) return message;
    const filtered = this.filterLists(message);
    return this.redact ? this.redact(filtered) : filtered;
  }

  private filterLists(message: unknown): unknown {
    if (this.listIds !== 'by-shape' && this.listIds.size === 0) return message;
    const valid = validateMessage(message);
    if (typeof valid === 'string' || !isResponse(valid)) return message;
    const method = this.listMethodOf(valid);
    return method ? filterListResult(valid, method, this.matcherFor(method)) : message;
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

  constructor(
    private readonly inspector: ResponseInspector,
    /** Transport-specific rewriting before inspection (legacy SSE: the `endpoint` event). */
    private readonly rewriteEvent?: (event: SseEvent) => SseEvent,
  ) {}

  push(chunk: Uint8Array): string {
    const events = this.parser.push(this.decoder.decode(chunk, { stream: true }));
    let out = '';
    for (const parsed of events) {
      const event = this.rewriteEvent ? this.rewriteEvent(parsed) : parsed;
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
