import {
  errorResponse,
  isFilteredListMethod,
  isRequest,
  JSON_RPC_INVALID_PARAMS,
  MCPG_FORBIDDEN,
  MCPG_RATE_LIMITED,
  type FilteredListMethod,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '@mcpg/mcp';
import { decidePromptGet, decideResourceRead, decideToolCall, type ToolAccess, type ToolDecision } from '@mcpg/policy';
import type { TakeResult } from '@mcpg/ratelimit';
import type { AuditFields } from './audit-recorder.js';

/** Takes a token from the principal's bucket of an allow rule with its own rate limit; null: the rule has none. */
export type RuleTokenTaker = (ruleId: string) => TakeResult | null;

/** What the proxy does with one client message: forward it, or answer it itself. */
export type MessageDecision =
  | { action: 'forward'; audit: AuditFields; listMethod?: FilteredListMethod }
  | { action: 'answer'; reply: JsonRpcResponse; audit: AuditFields };

type Target = { kind: 'tool' | 'resource' | 'prompt'; name: string };

const DENIED_KIND = { tool: 'tool.denied', resource: 'resource.denied', prompt: 'prompt.denied' } as const;
const ALLOWED_KIND = { tool: 'tool.call', resource: 'request', prompt: 'request' } as const;

function stringParam(message: JsonRpcRequest, name: string): string | undefined {
  const params = message.params;
  if (!params || Array.isArray(params)) return undefined;
  const value = (params as Record<string, unknown>)[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * What a request acts on, for the methods the policy governs. `undefined`: not governed;
 * `null`: governed but the target is missing (invalid params).
 */
function targetOf(message: JsonRpcRequest): Target | null | undefined {
  switch (message.method) {
    case 'tools/call': {
      const name = stringParam(message, 'name');
      return name ? { kind: 'tool', name } : null;
    }
    case 'resources/read':
    case 'resources/subscribe': {
      const uri = stringParam(message, 'uri');
      return uri ? { kind: 'resource', name: uri } : null;
    }
    case 'prompts/get': {
      const name = stringParam(message, 'name');
      return name ? { kind: 'prompt', name } : null;
    }
    case 'completion/complete': {
      // Completions reveal argument values of a prompt or resource template: same rule as using it.
      const ref = (message.params as { ref?: { type?: unknown; name?: unknown; uri?: unknown } } | undefined)?.ref;
      if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') return { kind: 'prompt', name: ref.name };
      if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') return { kind: 'resource', name: ref.uri };
      return null;
    }
    default:
      return undefined;
  }
}

function decide(key: ToolAccess, target: Target): ToolDecision {
  if (target.kind === 'tool') return decideToolCall(key, target.name);
  if (target.kind === 'resource') return decideResourceRead(key, target.name);
  return decidePromptGet(key, target.name);
}

/**
 * Authorizes one JSON-RPC message from the client (DESIGN.md §4): `tools/call` by tool name,
 * `resources/read|subscribe` by URI, `prompts/get` by name, `completion/complete` by what it
 * completes. Denied requests are answered here with −32001 and never reach the upstream.
 * Notifications and responses (to server-initiated requests) are forwarded.
 */
export function authorizeMessage(key: ToolAccess, message: JsonRpcMessage, takeRuleToken?: RuleTokenTaker): MessageDecision {
  if (!isRequest(message)) {
    return { action: 'forward', audit: { kind: 'request', decision: 'allow', method: 'method' in message ? message.method : null, rpcId: 'id' in message ? message.id : null } };
  }
  const base = { method: message.method, rpcId: message.id };
  const target = targetOf(message);
  if (target === undefined) {
    return {
      action: 'forward',
      audit: { ...base, kind: 'request', decision: 'allow' },
      ...(isFilteredListMethod(message.method) ? { listMethod: message.method } : {}),
    };
  }
  if (target === null) {
    return {
      action: 'answer',
      reply: errorResponse(message.id, JSON_RPC_INVALID_PARAMS, `Invalid params: ${message.method} needs its target (name, uri or ref)`),
      audit: { ...base, kind: 'request.invalid', decision: 'deny', reason: 'missing_target', status: 200 },
    };
  }
  const decision = decide(key, target);
  if (!decision.isAllowed) {
    return {
      action: 'answer',
      reply: errorResponse(message.id, MCPG_FORBIDDEN, `Forbidden: ${target.kind} "${target.name}" is not allowed for this credential`, { reason: decision.reason }),
      audit: { ...base, kind: DENIED_KIND[target.kind], decision: 'deny', tool: target.name, reason: decision.reason, ruleId: decision.ruleId, status: 200 },
    };
  }
  const taken = decision.ruleId ? takeRuleToken?.(decision.ruleId) : null;
  if (taken && !taken.isAllowed) {
    const retryAfterS = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    return {
      action: 'answer',
      reply: errorResponse(message.id, MCPG_RATE_LIMITED, `Too many requests for ${target.kind} "${target.name}": retry after ${retryAfterS} s`, {
        reason: 'rule_rate_limited',
        retryAfterSeconds: retryAfterS,
      }),
      audit: { ...base, kind: 'rate_limited', decision: 'deny', tool: target.name, reason: 'rule_rate_limited', ruleId: decision.ruleId, status: 200 },
    };
  }
  return {
    action: 'forward',
    audit: { ...base, kind: ALLOWED_KIND[target.kind], decision: 'allow', tool: target.name, reason: decision.reason, ruleId: decision.ruleId },
  };
}
