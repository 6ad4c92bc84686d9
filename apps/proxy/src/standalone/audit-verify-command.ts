import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { auditEventSchema, verifyAuditChain, type AuditEvent } from '@mcpg/audit';
import type { CliIo } from './cli.js';

export const AUDIT_VERIFY_USAGE = `  mcp-guard audit verify <file.jsonl> [--partial]
                                               check the per-proxy hash chains of a JSON Lines audit export
                                               (--partial: the export may begin mid-chain)`;

/**
 * `mcp-guard audit verify`: reads a JSON Lines export (any order, duplicates allowed), checks every
 * proxy's hash chain (docs/audit-events.md, "Tamper evidence") and prints the chains and every
 * problem. Exit 0 when every chain is intact, 1 when not, 2 on a usage error.
 */
export async function auditVerifyCommand(args: readonly string[], io: CliIo): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    io.err(`usage:\n${AUDIT_VERIFY_USAGE}`);
    return 2;
  }
  const events: AuditEvent[] = [];
  const invalidLines: number[] = [];
  let n = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      let parsed: ReturnType<typeof auditEventSchema.safeParse> | null = null;
      try {
        parsed = auditEventSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = null;
      }
      if (parsed?.success) events.push(parsed.data);
      else invalidLines.push(n);
    }
  } catch (err) {
    io.err(`mcp-guard: cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const report = verifyAuditChain(events, { allowPartialStart: args.includes('--partial') });
  for (const [proxyId, p] of Object.entries(report.proxies)) io.out(`${proxyId}: ${p.events} events in ${p.chains} chain(s), last seq ${p.lastSeq}`);
  if (report.duplicates > 0) io.out(`${report.duplicates} duplicate copies (at-least-once delivery) counted once`);
  for (const line of invalidLines) io.out(`line ${line}: not an audit event`);
  for (const problem of report.problems) io.out(`PROBLEM ${problem.kind} ${problem.proxyId}: ${problem.message}${problem.eventId ? ` (event ${problem.eventId})` : ''}`);
  const isIntact = report.isIntact && invalidLines.length === 0;
  io.out(isIntact ? `OK: ${report.events} events, every chain intact` : `FAILED: ${report.problems.length + invalidLines.length} problem(s)`);
  return isIntact ? 0 : 1;
}
