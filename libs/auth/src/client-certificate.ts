import { X509Certificate } from 'node:crypto';
import type { CertificateIdentitySource } from '@mcpg/policy';
import { revocationStatus, type CertificateRevocationList } from './certificate-revocation-list.js';
import { AuthError } from './principal.js';

/** Longest chain (leaf + intermediates) followed towards a trusted CA. */
const MAX_CHAIN_DEPTH = 5;

/** The CA certificates in a PEM bundle; anything that is not a CA certificate is refused. */
export function parseCaBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certificates = blocks.map((block) => new X509Certificate(block));
  if (certificates.length === 0) throw new Error('no certificate in the CA bundle');
  if (certificates.some((c) => !c.ca)) throw new Error('the CA bundle holds a certificate that is not a CA (basicConstraints CA:TRUE)');
  return certificates;
}

/** Certificates in a PEM text (a client-certificate header may carry the leaf and intermediates). */
export function parseCertificateChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

function isValidAt(cert: X509Certificate, nowMs: number): boolean {
  return cert.validFromDate.getTime() <= nowMs && nowMs <= cert.validToDate.getTime();
}

function isIssuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * Checks that `chain[0]` (the client's certificate) leads, through CA certificates the client
 * presented, to one of the tenant's trusted CAs, every certificate on the way being in its
 * validity period and, where its issuer has a CRL, not revoked. Signature checks use the
 * issuer's public key, so a certificate that merely names the CA as issuer is not enough.
 */
export function verifyClientCertificate(
  chain: readonly X509Certificate[],
  trusted: readonly X509Certificate[],
  nowMs: number = Date.now(),
  crls: readonly CertificateRevocationList[] = [],
): X509Certificate {
  const leaf = chain[0];
  if (!leaf) throw new AuthError('missing_credentials');
  if (!isValidAt(leaf, nowMs)) throw new AuthError('certificate_expired');
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const anchor = trusted.find((ca) => isValidAt(ca, nowMs) && isIssuedBy(current, ca));
    const issuer = anchor ?? chain.find((c) => c !== current && c.ca && isValidAt(c, nowMs) && isIssuedBy(current, c));
    if (!issuer) break;
    const status = revocationStatus(current, issuer, crls, nowMs);
    if (status === 'revoked') throw new AuthError('certificate_revoked');
    // Fail closed: a CRL past its next update may lack the revocation that matters.
    if (status === 'unknown') throw new AuthError('certificate_revocation_unknown');
    if (anchor) return leaf;
    current = issuer;
  }
  throw new AuthError('certificate_untrusted');
}

/** `DNS:a.example, URI:spiffe://acme/agent, email:x@y` → values of one type, in order. */
function subjectAltNames(cert: X509Certificate, type: 'URI' | 'DNS' | 'email'): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  return san
    .split(', ')
    .filter((entry) => entry.startsWith(`${type}:`))
    .map((entry) => entry.slice(type.length + 1).replace(/^"(.*)"$/, '$1'));
}

/** The client identity the tenant chose: the first SAN of a type, or the subject's CN. */
export function certificateIdentity(cert: X509Certificate, from: CertificateIdentitySource): string {
  let identity: string | undefined;
  switch (from) {
    case 'san-uri':
      identity = subjectAltNames(cert, 'URI')[0];
      break;
    case 'san-dns':
      identity = subjectAltNames(cert, 'DNS')[0];
      break;
    case 'san-email':
      identity = subjectAltNames(cert, 'email')[0];
      break;
    default:
      identity = /^CN=(.+)$/m.exec(cert.subject)?.[1];
  }
  if (!identity) throw new AuthError('certificate_without_identity');
  return identity;
}
