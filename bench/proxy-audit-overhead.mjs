// The proxy's audit work per request (issue 5: under 50 µs): building the event, redacting the
// tool arguments, linking it into the hash chain and handing it to the batcher. The last run adds
// what a tenant with `auditToolResults: ON` costs: the result redacted, cut to the cap and
// recorded as a second (`tool.result`) event.
//   npm run build && node bench/proxy-audit-overhead.mjs [iterations=200000]
import { AuditBatcher, Redactor, toolResultExcerpt } from '@mcpg/audit';
import { AuditRecorder } from '../apps/proxy/dist/audit-recorder.js';

const iterations = Number(process.argv[2] ?? 200_000);
const batcher = new AuditBatcher({ maxBatchSize: 100, flushIntervalMs: 1000, deliver: async () => {} });
const recorder = new AuditRecorder({ write: (event) => batcher.push(event) }, 'bench', 'proxy-bench');
const redactor = new Redactor({ customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] });
const args = { path: '/srv/data/report.csv', query: 'SELECT * FROM orders WHERE customer = 42 LIMIT 100', options: { recursive: true, depth: 3 } };
const secretArgs = { ...args, token: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', note: 'card 4111 1111 1111 1111' };

function once(i, a) {
  const { value, count } = redactor.redactJson(a);
  recorder.record({
    kind: 'tool.call', decision: 'allow', tenantId: 'tenant-bench', principal: { subject: 'apikey:key-1', via: 'apikey', keyId: 'key-1' },
    server: 'files', method: 'tools/call', rpcId: i, tool: 'read_file', reason: 'rule_allows', ruleId: 'rule-1', snapshotVersion: 7,
    status: 200, latencyMs: 1.5, bytesIn: 240, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', sourceIp: '10.0.0.7', arguments: value, redactedCount: count,
  });
}

// A typical result: ~1 KiB of text holding one secret, and a small structuredContent.
const result = {
  content: [{ type: 'text', text: `${'order 4711 shipped to Berlin, status ok; '.repeat(24)}deploy key ghp_16C7e42F292c6912E7710c838347Ae178B4a` }],
  structuredContent: { orders: [{ id: 4711, city: 'Berlin', status: 'ok' }], total: 1 },
};

function withResult(i, a) {
  once(i, a);
  const { value, count } = toolResultExcerpt(result, redactor, 8192);
  recorder.record({
    kind: 'tool.result', decision: 'allow', tenantId: 'tenant-bench', principal: { subject: 'apikey:key-1', via: 'apikey', keyId: 'key-1' },
    server: 'files', method: 'tools/call', rpcId: i, tool: 'read_file', snapshotVersion: 7, latencyMs: 3.1, bytesIn: 240,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736', sourceIp: '10.0.0.7', callEventId: '0190a5c4-0000-7000-8000-000000000001', result: value, redactedCount: count,
  });
}

for (const [label, a, run] of [['clean arguments', args, once], ['arguments with 2 secrets', secretArgs, once], ['auditToolResults ON: call + 1 KiB result', args, withResult]]) {
  for (let i = 0; i < 20_000; i++) run(i, a); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(i, a);
  const perRequestUs = Number(process.hrtime.bigint() - start) / iterations / 1000;
  console.log(`audit work per request (${label}): ${perRequestUs.toFixed(2)} µs`);
}
await batcher.drain();
