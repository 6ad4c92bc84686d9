// The proxy's audit work per request (issue 5: under 50 µs): building the event, redacting the
// tool arguments, linking it into the hash chain and handing it to the batcher.
//   npm run build && node bench/proxy-audit-overhead.mjs [iterations=200000]
import { AuditBatcher, Redactor } from '@mcpg/audit';
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

for (const [label, a] of [['clean arguments', args], ['arguments with 2 secrets', secretArgs]]) {
  for (let i = 0; i < 20_000; i++) once(i, a); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) once(i, a);
  const perEventUs = Number(process.hrtime.bigint() - start) / iterations / 1000;
  console.log(`audit work per event (${label}): ${perEventUs.toFixed(2)} µs`);
}
await batcher.drain();
