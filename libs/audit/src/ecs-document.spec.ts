import { auditEventFixture } from '@mcpg/testing';
import { describe, expect, it } from 'vitest';
import { toEcsDocument } from './ecs-document.js';

describe('toEcsDocument', () => {
  it('maps an allowed tool call to ECS fields and keeps what ECS has no field for under mcpg', () => {
    const event = auditEventFixture();
    expect(toEcsDocument(event)).toEqual({
      '@timestamp': '2026-03-01T12:00:00.250Z',
      ecs: { version: '8.11.0' },
      event: {
        id: event.id,
        kind: 'event',
        category: ['network', 'web'],
        type: ['access', 'allowed'],
        action: 'tool.call',
        outcome: 'success',
        dataset: 'mcpg.audit',
        module: 'mcpg',
        duration: 4_200_000,
      },
      observer: { name: 'proxy-eu-1a', type: 'proxy', vendor: 'MCP Guard' },
      cloud: { region: 'eu-1' },
      organization: { id: 'tenant-a' },
      user: { name: 'ci-bot', id: 'key-1' },
      source: { ip: '127.0.0.1', address: '127.0.0.1' },
      trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
      rule: { id: 'rule-1', ruleset: 'snapshot-3' },
      http: { request: { bytes: 120 }, response: { status_code: 200, bytes: 340 } },
      mcpg: {
        schema_version: 1,
        tenant_id: 'tenant-a',
        decision: 'allow',
        server: 'everything',
        method: 'tools/call',
        rpc_id: 7,
        tool: 'echo',
        snapshot_version: 3,
        principal_via: 'apikey',
      },
    });
  });

  it('maps an authentication failure without principal, source or rule', () => {
    const doc = toEcsDocument(
      auditEventFixture({ kind: 'auth.failure', decision: 'deny', reason: 'unknown_key', principal: null, ruleId: null, sourceIp: null, tenantId: null, redactedCount: 0 }),
    );
    expect(doc).toMatchObject({ event: { category: ['authentication'], outcome: 'failure', reason: 'unknown_key' }, mcpg: { redacted_count: 0 } });
    expect(doc).not.toHaveProperty('user');
    expect(doc).not.toHaveProperty('rule');
    expect(doc).not.toHaveProperty('source');
    expect(doc).not.toHaveProperty('organization');
  });

  it('maps a tool result under mcpg.result in snake_case, with the tool.call event it answers', () => {
    const event = auditEventFixture({
      kind: 'tool.result',
      callEventId: '0190a5c4-0000-7000-8000-000000000001',
      redactedCount: 1,
      result: { isError: false, content: [{ type: 'text', text: 'Echo: [REDACTED:github_token]' }], structuredContent: { ok: true }, truncated: false },
    });
    expect(toEcsDocument(event)).toMatchObject({
      event: { action: 'tool.result', category: ['network', 'web'], type: ['info'], outcome: 'success' },
      mcpg: {
        call_event_id: '0190a5c4-0000-7000-8000-000000000001',
        redacted_count: 1,
        result: { is_error: false, content: [{ type: 'text', text: 'Echo: [REDACTED:github_token]' }], structured_content: { ok: true }, truncated: false },
      },
    });
    expect((toEcsDocument(auditEventFixture()).mcpg as Record<string, unknown>).result).toBeUndefined();
  });
});
