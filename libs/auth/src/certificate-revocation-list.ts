import { verify, type X509Certificate } from 'node:crypto';
import { DER_TAG, derTimeMs, expectTag, oidText, readDer, readDerChildren, type DerElement } from './der-reader.js';

/** A CRL whose signature checked out against one of the tenant's CAs. */
export interface CertificateRevocationList {
  /** The CA that signed it: it lists revoked certificates issued by this CA only. */
  readonly issuer: X509Certificate;
  readonly thisUpdateMs: number;
  /** After this the list may be missing revocations; null when the CRL gives no next update. */
  readonly nextUpdateMs: number | null;
  /** Serial numbers, upper-case hex without leading zeros (as X509Certificate.serialNumber, normalised). */
  readonly revokedSerials: ReadonlySet<string>;
}

/** Signature algorithms a CA may sign a CRL with, by OID: the digest node:crypto verifies with. */
const SIGNATURE_DIGESTS: Record<string, string | null> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
};

export function normalisedSerial(hex: string): string {
  return hex.toUpperCase().replace(/^0+(?=.)/, '');
}

/**
 * Parses a PEM bundle of CRLs (RFC 5280 §5) and checks each one's signature against the CAs it
 * may come from. Throws with a reason on anything that does not parse, is signed by none of
 * `cas`, or uses an unsupported signature algorithm: a CRL that cannot be trusted must not be
 * silently ignored (its revocations would not apply).
 */
export function parseCrlBundle(pem: string, cas: readonly X509Certificate[]): CertificateRevocationList[] {
  const blocks = [...pem.matchAll(/-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/g)];
  if (blocks.length === 0) throw new Error('no CRL (-----BEGIN X509 CRL-----) in the bundle');
  return blocks.map((block, i) => {
    try {
      return parseCrl(Buffer.from(block[1]!.replace(/\s+/g, ''), 'base64'), cas);
    } catch (err) {
      throw new Error(`CRL ${i + 1}: ${(err as Error).message}`);
    }
  });
}

function parseCrl(der: Buffer, cas: readonly X509Certificate[]): CertificateRevocationList {
  const outer = expectTag(readDer(der), DER_TAG.SEQUENCE, 'CertificateList');
  const [tbs, algorithm, signature] = readDerChildren(outer.value);
  const tbsList = expectTag(tbs, DER_TAG.SEQUENCE, 'TBSCertList');
  const oid = oidText(expectTag(readDerChildren(expectTag(algorithm, DER_TAG.SEQUENCE, 'signatureAlgorithm').value)[0], DER_TAG.OID, 'algorithm').value);
  if (!(oid in SIGNATURE_DIGESTS)) throw new Error(`unsupported signature algorithm ${oid}`);
  const bits = expectTag(signature, DER_TAG.BIT_STRING, 'signatureValue').value;
  if (bits[0] !== 0) throw new Error('signature has unused bits');
  const signatureBytes = bits.subarray(1);
  const issuer = cas.find((ca) => isSignedBy(ca, SIGNATURE_DIGESTS[oid] ?? null, tbsList.encoded, signatureBytes));
  if (!issuer) throw new Error('not signed by any CA of the bundle');

  // TBSCertList: version? signature issuer thisUpdate nextUpdate? revokedCertificates? [0] extensions?
  const fields = readDerChildren(tbsList.value);
  let at = fields[0]?.tag === DER_TAG.INTEGER ? 1 : 0;
  at += 2; // signature algorithm, issuer name (the signature already tied the list to `issuer`)
  const thisUpdateMs = derTimeMs(fields[at++] ?? failMissing('thisUpdate'));
  let nextUpdateMs: number | null = null;
  if (fields[at] && (fields[at]!.tag === DER_TAG.UTC_TIME || fields[at]!.tag === DER_TAG.GENERALIZED_TIME)) nextUpdateMs = derTimeMs(fields[at++]!);
  const revokedSerials = new Set<string>();
  if (fields[at]?.tag === DER_TAG.SEQUENCE) {
    for (const entry of readDerChildren(fields[at]!.value)) {
      const serial = expectTag(readDerChildren(expectTag(entry, DER_TAG.SEQUENCE, 'revokedCertificate').value)[0], DER_TAG.INTEGER, 'userCertificate');
      revokedSerials.add(normalisedSerial(serial.value.toString('hex')));
    }
  }
  return { issuer, thisUpdateMs, nextUpdateMs, revokedSerials };
}

function isSignedBy(ca: X509Certificate, digest: string | null, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(digest, data, ca.publicKey, signature);
  } catch {
    // A key of another type than the signature's (an RSA CA, an ECDSA signature): not this CA.
    return false;
  }
}

/**
 * Whether `cert`, issued by `issuer`, is revoked according to the CRLs: `revoked`, `unknown` when
 * the issuer's CRL is past its next update (it may lack recent revocations), otherwise `good`
 * (also when the issuer has no CRL: revocation checking is per CA, opt-in).
 */
export function revocationStatus(
  cert: X509Certificate,
  issuer: X509Certificate,
  crls: readonly CertificateRevocationList[],
  nowMs: number,
): 'good' | 'revoked' | 'unknown' {
  const lists = crls.filter((crl) => crl.issuer.fingerprint256 === issuer.fingerprint256);
  if (lists.length === 0) return 'good';
  const serial = normalisedSerial(cert.serialNumber);
  if (lists.some((crl) => crl.revokedSerials.has(serial))) return 'revoked';
  if (lists.every((crl) => crl.nextUpdateMs !== null && crl.nextUpdateMs < nowMs)) return 'unknown';
  return 'good';
}

function failMissing(what: string): DerElement {
  throw new Error(`${what} is missing`);
}
