// Exporter throughput to a local HEC endpoint (issue 5: at least 50,000 events/s on this machine).
//   npm run build && node bench/exporter-throughput.mjs [events=200000] [batchSize=500] [concurrency=8]
// Fills the audit-export queue (own key prefix on REDIS_URL) with batches like a proxy's, then
// starts the real exporter (SplunkHecSink, BullMQ workers) against a minimal HEC endpoint that
// counts events, and reports events/s from the first job taken to the last event received, and
// the CPU the exporter process and Redis spent per event (less sensitive to a busy machine).
// EXPORTER_SINK_QUEUES=always forces the two-stage pipeline (fan-out into the sink's own queue,
// then delivery) that a single HEC sink would otherwise skip; EXPORTER_SINK_CONCURRENCY is passed on.
// BENCH_SINKS=2 adds a webhook sink (a second counting endpoint), so every event goes to two sinks
// and the multi-sink pipeline runs (direct first with EXPORTER_SINK_QUEUES=auto); events/s then
// counts events delivered to both.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { AUDIT_BATCH_JOB_NAME, AUDIT_EXPORT_BACKOFF_TYPE, uuidv7 } from '@mcpg/audit';
import { busNames } from '@mcpg/bus';
import { createLogger } from '@mcpg/observability';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadSiemExporterConfig } from '../apps/siem-exporter/dist/config.js';
import { startSiemExporter } from '../apps/siem-exporter/dist/siem-exporter.js';

const [events = 200_000, batchSize = 500, concurrency = 8] = process.argv.slice(2).map(Number);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `mcpg-bench-exporter-${randomBytes(4).toString('hex')}:`;
const names = busNames(prefix);

const sinkCount = Number(process.env.BENCH_SINKS ?? 1);
let received = 0;
let webhookReceived = 0;
let firstAt = 0;
let done;
const finished = new Promise((resolve) => (done = resolve));
const isDone = () => received >= events && (sinkCount < 2 || webhookReceived >= events);
// Counts envelopes (one per line, as the sink sends them); answers like HEC.
const hec = createServer((req, res) => {
  firstAt ||= performance.now();
  let lines = 0;
  req.on('data', (chunk) => {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  });
  req.on('end', () => {
    received += lines + 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    if (isDone()) done(performance.now());
  });
});
await new Promise((resolve) => hec.listen(0, '127.0.0.1', resolve));
// Counts events in webhook batches by their top-level `"seq":` member (one per event here).
const SEQ = Buffer.from('"seq":');
const webhook = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    for (let at = body.indexOf(SEQ); at !== -1; at = body.indexOf(SEQ, at + SEQ.length)) webhookReceived++;
    res.writeHead(200).end();
    if (isDone()) done(performance.now());
  });
});
await new Promise((resolve) => webhook.listen(0, '127.0.0.1', resolve));

const event = (i) => ({
  schemaVersion: 1, id: uuidv7(), time: new Date().toISOString(), tenantId: 'tenant-bench', region: 'bench', proxyId: 'proxy-bench',
  kind: 'tool.call', principal: { subject: 'apikey:key-1', via: 'apikey', keyId: 'key-1' }, server: 'files', method: 'tools/call',
  rpcId: i, tool: 'read_file', decision: 'allow', reason: 'rule_allows', ruleId: 'rule-1', snapshotVersion: 7, status: 200,
  latencyMs: 3.2, bytesIn: 240, bytesOut: null, traceId: randomBytes(16).toString('hex'), sourceIp: '10.0.0.7',
  arguments: { path: '/srv/data/report.csv' }, redactedCount: 0, seq: i + 1, prevHash: 'a'.repeat(64),
});

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue(names.auditQueue, { connection: redis, prefix: names.bullPrefix });
const filled = performance.now();
for (let start = 0; start < events; start += batchSize * 50) {
  const jobs = [];
  for (let b = start; b < Math.min(events, start + batchSize * 50); b += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, events - b) }, (_, k) => event(b + k));
    jobs.push({ name: AUDIT_BATCH_JOB_NAME, data: { events: batch }, opts: { jobId: batch[0].id, attempts: 20, backoff: { type: AUDIT_EXPORT_BACKOFF_TYPE }, removeOnComplete: true, removeOnFail: false } });
  }
  await queue.addBulk(jobs);
}
console.log(`queued ${events} events in batches of ${batchSize} (${Math.round(performance.now() - filled)} ms)`);

const redisCpuSeconds = async () => {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
};
const sinkQueues = process.env.EXPORTER_SINK_QUEUES ?? 'auto';
const cpuBefore = process.cpuUsage();
const redisBefore = await redisCpuSeconds();
const exporter = await startSiemExporter(
  loadSiemExporterConfig({
    REDIS_URL,
    MCPG_REDIS_KEY_PREFIX: prefix,
    SPLUNK_HEC_URL: `http://127.0.0.1:${hec.address().port}`,
    SPLUNK_HEC_TOKEN: 'bench',
    EXPORTER_CONCURRENCY: String(concurrency),
    EXPORTER_SINK_QUEUES: sinkQueues,
    EXPORTER_SINK_CONCURRENCY: process.env.EXPORTER_SINK_CONCURRENCY ?? '',
    ...(sinkCount >= 2 ? { WEBHOOK_URL: `http://127.0.0.1:${webhook.address().port}`, WEBHOOK_SECRET: 'bench-webhook-secret-0123456789' } : {}),
  }),
  createLogger({ app: 'bench' }, 'error'),
);
const endAt = await finished;
const seconds = (endAt - firstAt) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const redisCpuMs = ((await redisCpuSeconds()) - redisBefore) * 1000;
const nodeCpuMs = (cpu.user + cpu.system) / 1000;
console.log(`exporter: ${events} events in ${seconds.toFixed(2)} s = ${Math.round(events / seconds).toLocaleString('en')} events/s (batch ${batchSize}, concurrency ${concurrency}, sink queues ${sinkQueues}, ${sinkCount} sink${sinkCount > 1 ? 's' : ''})`);
console.log(`cpu: exporter process ${Math.round(nodeCpuMs)} ms + redis ${Math.round(redisCpuMs)} ms = ${(((nodeCpuMs + redisCpuMs) * 1000) / events).toFixed(1)} µs per event`);

await exporter.close();
await queue.obliterate({ force: true });
for (const name of await redis.hkeys(`${prefix}mcpg:audit-sink-queues`)) {
  const sinkQueue = new Queue(name, { connection: redis, prefix: names.bullPrefix });
  await sinkQueue.obliterate({ force: true });
  await sinkQueue.close();
}
await redis.del(`${prefix}mcpg:audit-sink-queues`);
await queue.close();
redis.disconnect();
hec.close();
webhook.close();
