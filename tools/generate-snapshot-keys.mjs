#!/usr/bin/env node
// Creates an Ed25519 key pair for signing policy snapshots (DESIGN.md §6).
// Usage: node tools/generate-snapshot-keys.mjs <dir>
//   writes <dir>/snapshot-signing-key.pem (PKCS#8, mode 600; control plane only)
//      and <dir>/snapshot-public-key.pem (SPKI; give it to every proxy).
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/generate-snapshot-keys.mjs <dir>');
  process.exit(2);
}
const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'snapshot-signing-key.pem'), privateKey, { mode: 0o600 });
writeFileSync(join(dir, 'snapshot-public-key.pem'), publicKey);
console.error(`wrote ${join(dir, 'snapshot-signing-key.pem')} and ${join(dir, 'snapshot-public-key.pem')}`);
