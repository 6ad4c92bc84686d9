import { X509Certificate } from 'node:crypto';
import { createTestPki, type TestCertificateAuthority } from '@mcpg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCrlBundle } from './certificate-revocation-list.js';
import { certificateIdentity, parseCaBundle, verifyClientCertificate } from './client-certificate.js';

const pki = createTestPki();
let acmeCa: TestCertificateAuthority;
let otherCa: TestCertificateAuthority;
const x509 = (pem: string) => new X509Certificate(pem);

function reasonOf(f: () => unknown): string {
  try {
    f();
    return 'accepted';
  } catch (err) {
    return (err as { reason?: string }).reason ?? String(err);
  }
}

beforeAll(() => {
  acmeCa = pki.createCa('Acme Client CA');
  otherCa = pki.createCa('Other Client CA');
});
afterAll(() => pki.cleanup());

describe('client certificates', () => {
  it('accepts a certificate issued by the tenant CA and reads the configured identity', () => {
    const client = acmeCa.issue({ commonName: 'agent-7', altNames: ['URI:spiffe://acme/agent-7', 'DNS:agent-7.acme.internal', 'email:ops@acme.example'] });
    const leaf = verifyClientCertificate([x509(client.certPem)], parseCaBundle(acmeCa.certPem));
    expect(certificateIdentity(leaf, 'subject-cn')).toBe('agent-7');
    expect(certificateIdentity(leaf, 'san-uri')).toBe('spiffe://acme/agent-7');
    expect(certificateIdentity(leaf, 'san-dns')).toBe('agent-7.acme.internal');
    expect(certificateIdentity(leaf, 'san-email')).toBe('ops@acme.example');
  });

  it('refuses a certificate from another tenant\'s CA, and a self-made one naming the tenant CA as issuer', () => {
    const foreign = otherCa.issue({ commonName: 'agent-7' });
    expect(reasonOf(() => verifyClientCertificate([x509(foreign.certPem)], parseCaBundle(acmeCa.certPem)))).toBe('certificate_untrusted');
    // Same subject as the real CA, different key: names match, signatures do not.
    const impostorCa = pki.createCa('Acme Client CA');
    const forged = impostorCa.issue({ commonName: 'admin' });
    expect(reasonOf(() => verifyClientCertificate([x509(forged.certPem), x509(impostorCa.certPem)], parseCaBundle(acmeCa.certPem)))).toBe(
      'certificate_untrusted',
    );
  });

  it('follows an intermediate CA the client presents, but not a leaf posing as one', () => {
    const intermediate = acmeCa.issue({ commonName: 'Acme Issuing CA', isCa: true });
    const client = intermediate.issue({ commonName: 'agent-8' });
    const trusted = parseCaBundle(acmeCa.certPem);
    expect(reasonOf(() => verifyClientCertificate([x509(client.certPem), x509(intermediate.certPem)], trusted))).toBe('accepted');
    expect(reasonOf(() => verifyClientCertificate([x509(client.certPem)], trusted))).toBe('certificate_untrusted');
    const leafAsIssuer = acmeCa.issue({ commonName: 'not-a-ca' });
    const issuedByLeaf = leafAsIssuer.issue({ commonName: 'agent-9' });
    expect(reasonOf(() => verifyClientCertificate([x509(issuedByLeaf.certPem), x509(leafAsIssuer.certPem)], trusted))).toBe('certificate_untrusted');
  });

  it('refuses an expired certificate and one without the configured identity', () => {
    const client = acmeCa.issue({ commonName: 'agent-1', days: 1 });
    const inTwoDays = Date.now() + 2 * 86_400_000;
    expect(reasonOf(() => verifyClientCertificate([x509(client.certPem)], parseCaBundle(acmeCa.certPem), inTwoDays))).toBe('certificate_expired');
    expect(reasonOf(() => certificateIdentity(x509(client.certPem), 'san-uri'))).toBe('certificate_without_identity');
  });

  it('refuses a CA bundle that holds a non-CA certificate or nothing', () => {
    expect(() => parseCaBundle(acmeCa.issue({ commonName: 'leaf' }).certPem)).toThrow(/not a CA/);
    expect(() => parseCaBundle('junk')).toThrow(/no certificate/);
  });
});

describe('certificate revocation lists', () => {
  it('refuses a revoked client certificate and accepts its CA\'s others', () => {
    const revoked = acmeCa.issue({ commonName: 'stolen-laptop' });
    const good = acmeCa.issue({ commonName: 'agent-9' });
    const trusted = parseCaBundle(acmeCa.certPem);
    const crls = parseCrlBundle(acmeCa.crl([revoked]), trusted);
    expect(crls[0]?.revokedSerials.size).toBe(1);
    expect(reasonOf(() => verifyClientCertificate([x509(revoked.certPem)], trusted, Date.now(), crls))).toBe('certificate_revoked');
    expect(reasonOf(() => verifyClientCertificate([x509(good.certPem)], trusted, Date.now(), crls))).toBe('accepted');
    // Without the CRL the same certificate is accepted: the list is what refuses it.
    expect(reasonOf(() => verifyClientCertificate([x509(revoked.certPem)], trusted, Date.now()))).toBe('accepted');
  });

  it('refuses a leaf whose intermediate the root\'s CRL revokes', () => {
    const intermediate = acmeCa.issue({ commonName: 'Acme Issuing CA', isCa: true });
    const leaf = intermediate.issue({ commonName: 'agent-10' });
    const trusted = parseCaBundle(acmeCa.certPem);
    const crls = parseCrlBundle(acmeCa.crl([intermediate]), trusted);
    expect(reasonOf(() => verifyClientCertificate([x509(leaf.certPem), x509(intermediate.certPem)], trusted, Date.now(), crls))).toBe('certificate_revoked');
  });

  it('fails closed once the CRL is past its next update', () => {
    const good = acmeCa.issue({ commonName: 'agent-11' });
    const trusted = parseCaBundle(acmeCa.certPem);
    const crls = parseCrlBundle(acmeCa.crl([], 1), trusted);
    expect(reasonOf(() => verifyClientCertificate([x509(good.certPem)], trusted, Date.now(), crls))).toBe('accepted');
    expect(reasonOf(() => verifyClientCertificate([x509(good.certPem)], trusted, Date.now() + 2 * 86_400_000, crls))).toBe('certificate_revocation_unknown');
  });

  it('refuses a CRL signed by a CA outside the bundle, and junk', () => {
    expect(() => parseCrlBundle(otherCa.crl([]), parseCaBundle(acmeCa.certPem))).toThrow(/not signed by any CA/);
    expect(() => parseCrlBundle('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----', parseCaBundle(acmeCa.certPem))).toThrow(/CRL 1/);
    expect(() => parseCrlBundle('nothing here', parseCaBundle(acmeCa.certPem))).toThrow(/no CRL/);
  });
});
