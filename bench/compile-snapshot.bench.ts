/**
 * Compiling one tenant with 10,000 API keys and 1,000 rules (issue 6 target: under 1 s), step by
 * step as a change goes through it: compile the model (control plane), sign (control plane),
 * verify (proxy), compile the policy into lookup structures (proxy).
 *
 *   npm run build && node bench/compile-snapshot.bench.ts
 */
import { randomUUID } from 'node:crypto';
import { generateApiKey } from '@mcpg/auth';
import {
  compilePolicy,
  compileSnapshot,
  generateSnapshotKeyPair,
  importSigningKey,
  importVerificationKey,
  signSnapshot,
  verifySnapshot,
  type TenantModel,
} from '@mcpg/policy';

const KEYS = 10_000;
const RULES = 1_000;
const RUNS = 10;

const apiKeys = Array.from({ length: KEYS }, (_, i) => {
  const { prefix, hash } = generateApiKey();
  return { id: randomUUID(), name: `key-${i}`, prefix, hash, revokedAt: i % 50 === 0 ? new Date() : null };
});
const model: TenantModel = {
  tenant: { id: randomUUID(), slug: 'big-tenant' },
  servers: Array.from({ length: 20 }, (_, i) => ({ id: randomUUID(), name: `server-${i}`, url: `http://10.0.0.${i}:3001/mcp` })),
  apiKeys,
  toolRules: Array.from({ length: RULES }, (_, i) => ({
    id: randomUUID(),
    apiKeyId: apiKeys[i * (KEYS / RULES)]!.id,
    toolGlobs: ['read_*', `tool-${i}`, 'search?', 'fs/*/list', 'echo'],
  })),
};

const { privateKeyPem, publicKeyPem } = await generateSnapshotKeyPair();
const signingKey = await importSigningKey(privateKeyPem);
const verificationKey = await importVerificationKey(publicKeyPem);

const timings: Record<'compile' | 'sign' | 'verify' | 'policy' | 'total', number[]> = { compile: [], sign: [], verify: [], policy: [], total: [] };
let bytes = 0;
for (let run = 0; run < RUNS + 2; run++) {
  const t0 = performance.now();
  const snapshot = compileSnapshot(model, run + 1);
  const t1 = performance.now();
  const jws = await signSnapshot(snapshot, signingKey);
  const t2 = performance.now();
  const verified = await verifySnapshot(jws, [verificationKey]);
  const t3 = performance.now();
  const policy = compilePolicy(verified);
  const t4 = performance.now();
  if (policy.keysByHash.size !== KEYS) throw new Error('compiled policy lost keys');
  bytes = jws.length;
  if (run < 2) continue; // warm-up
  timings.compile.push(t1 - t0);
  timings.sign.push(t2 - t1);
  timings.verify.push(t3 - t2);
  timings.policy.push(t4 - t3);
  timings.total.push(t4 - t0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]) => Math.max(...xs);
console.log(`tenant: ${KEYS} keys, ${RULES} rules; signed snapshot ${(bytes / 1024 / 1024).toFixed(2)} MiB; ${RUNS} runs`);
for (const [step, xs] of Object.entries(timings)) console.log(`${step.padEnd(8)} median ${median(xs).toFixed(1)} ms   max ${max(xs).toFixed(1)} ms`);
console.log(max(timings.total) < 1000 ? 'PASS: under 1 s' : 'FAIL: over 1 s');
