#!/usr/bin/env node
// The `mcp-guard` command line. Today: `mcp-guard audit verify <file.jsonl> [--partial]`, which
// checks the per-proxy hash chains of a JSON Lines audit export (docs/audit-events.md).
// Needs the libraries built (`npm run build`, done by scripts/install.sh).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { auditEventSchema, verifyAuditChain } from '@mcpg/audit';

const USAGE = 'usage: mcp-guard audit verify <file.jsonl> [--partial]\n  --partial  the export may begin mid-chain (not at seq 1)';

async function readEvents(path) {
  const events = [];
  const invalid = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let parsed;
    try {
      parsed = auditEventSchema.safeParse(JSON.parse(line));
    } catch {
      parsed = { success: false };
    }
    if (parsed.success) events.push(parsed.data);
    else invalid.push(n);
  }
  return { events, invalid };
}

async function auditVerify(args) {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    console.error(USAGE);
    return 2;
  }
  const { events, invalid } = await readEvents(file);
  const report = verifyAuditChain(events, { allowPartialStart: args.includes('--partial') });
  for (const [proxyId, p] of Object.entries(report.proxies)) {
    console.log(`${proxyId}: ${p.events} events in ${p.chains} chain(s), last seq ${p.lastSeq}`);
  }
  if (report.duplicates > 0) console.log(`${report.duplicates} duplicate copies (at-least-once delivery) counted once`);
  for (const line of invalid) console.log(`line ${line}: not an audit event`);
  for (const problem of report.problems) console.log(`PROBLEM ${problem.kind} ${problem.proxyId}: ${problem.message}${problem.eventId ? ` (event ${problem.eventId})` : ''}`);
  const isIntact = report.isIntact && invalid.length === 0;
  console.log(isIntact ? `OK: ${report.events} events, every chain intact` : `FAILED: ${report.problems.length + invalid.length} problem(s)`);
  return isIntact ? 0 : 1;
}

const [group, command, ...rest] = process.argv.slice(2);
if (group === 'audit' && command === 'verify') {
  process.exitCode = await auditVerify(rest).catch((err) => {
    console.error(`mcp-guard: ${err.message}`);
    return 2;
  });
} else {
  console.error(USAGE);
  process.exitCode = 2;
}
