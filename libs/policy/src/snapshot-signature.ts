import { CompactSign, compactVerify, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, type CryptoKey } from 'jose';
import { tenantSnapshotSchema, type TenantSnapshot } from './snapshot.js';

const ALG = 'EdDSA';
const TYPE = 'mcpg-snapshot+jws';

export class SnapshotVerificationError extends Error {
  constructor(
    readonly code: 'bad_signature' | 'malformed' | 'unknown_schema',
    message: string,
  ) {
    super(message);
  }
}

export async function importSigningKey(pkcs8Pem: string): Promise<CryptoKey> {
  return importPKCS8(pkcs8Pem, ALG);
}

export async function importVerificationKey(spkiPem: string): Promise<CryptoKey> {
  return importSPKI(spkiPem, ALG);
}

/** Ed25519 key pair as PEM strings, for configuration and the quick-start. */
export async function generateSnapshotKeyPair(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  return { privateKeyPem: await exportPKCS8(privateKey), publicKeyPem: await exportSPKI(publicKey) };
}

export async function signSnapshot(snapshot: TenantSnapshot, key: CryptoKey, keyId?: string): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify(snapshot));
  return new CompactSign(payload).setProtectedHeader({ alg: ALG, typ: TYPE, ...(keyId ? { kid: keyId } : {}) }).sign(key);
}

/**
 * Accepts a snapshot only if one of the configured public keys verifies it and its content
 * matches the schema; anything else is refused so that write access to Redis cannot change policy.
 * Several keys are accepted so the signing key can be rotated without a flag day.
 */
export async function verifySnapshot(jws: string, keys: readonly CryptoKey[]): Promise<TenantSnapshot> {
  let payload: Uint8Array | undefined;
  for (const key of keys) {
    try {
      const result = await compactVerify(jws, key, { algorithms: [ALG] });
      if (result.protectedHeader.typ !== TYPE) throw new SnapshotVerificationError('malformed', 'unexpected JWS typ');
      payload = result.payload;
      break;
    } catch (err) {
      if (err instanceof SnapshotVerificationError) throw err;
    }
  }
  if (!payload) throw new SnapshotVerificationError('bad_signature', 'snapshot signature does not verify with any configured key');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new SnapshotVerificationError('malformed', 'snapshot payload is not JSON');
  }
  const parsed = tenantSnapshotSchema.safeParse(json);
  if (!parsed.success) {
    const schemaVersion = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
    const code = schemaVersion !== undefined && schemaVersion !== 1 ? 'unknown_schema' : 'malformed';
    throw new SnapshotVerificationError(code, `snapshot content is invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  }
  return parsed.data;
}
