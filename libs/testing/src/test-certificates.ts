import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface IssueOptions {
  readonly commonName: string;
  /** subjectAltName entries in OpenSSL syntax: `URI:spiffe://acme/agent`, `DNS:localhost`, `IP:127.0.0.1`, `email:a@b`. */
  readonly altNames?: readonly string[];
  /** A CA certificate that may issue others (an intermediate). */
  readonly isCa?: boolean;
  readonly days?: number;
}

export interface TestCertificateAuthority extends TestCertificate {
  issue(options: IssueOptions): TestCertificateAuthority;
  /** A CRL (PEM) signed by this CA listing `revoked`, valid for `days` (default 7), made by `openssl ca -gencrl`. */
  crl(revoked: readonly TestCertificate[], days?: number): string;
}

/**
 * Real X.509 certificates for tests, made with the `openssl` CLI (node:crypto cannot issue
 * certificates): a CA per tenant, client certificates with SANs, intermediates, server certificates.
 * Files live in one temporary directory per call to `createTestPki`; `cleanup` removes it.
 */
export function createTestPki(): { createCa(commonName: string): TestCertificateAuthority; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mcpg-pki-'));
  let serial = 1;
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

  function newKey(name: string): string {
    const keyFile = join(dir, `${name}.key`);
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    return keyFile;
  }

  function withFiles(keyFile: string, certFile: string): TestCertificate {
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8'), certFile, keyFile };
  }

  function authority(cert: TestCertificate, name: string): TestCertificateAuthority {
    return {
      ...cert,
      issue(options: IssueOptions): TestCertificateAuthority {
        // Also for non-CA certificates, so tests can try to issue from a leaf (which verifiers must refuse).
        const id = `${name}-${serial++}`;
        const keyFile = newKey(id);
        const csr = join(dir, `${id}.csr`);
        const certFile = join(dir, `${id}.crt`);
        const ext = join(dir, `${id}.ext`);
        const lines = options.isCa
          ? ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']
          : ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth,serverAuth'];
        if (options.altNames?.length) lines.push(`subjectAltName=${options.altNames.join(',')}`);
        writeFileSync(ext, lines.join('\n') + '\n');
        openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${options.commonName}`, '-out', csr]);
        openssl([
          'x509', '-req', '-in', csr, '-CA', cert.certFile, '-CAkey', cert.keyFile, '-set_serial', String(serial++),
          '-days', String(options.days ?? 30), '-sha256', '-extfile', ext, '-out', certFile,
        ]);
        return authority(withFiles(keyFile, certFile), id);
      },
      crl(revoked: readonly TestCertificate[], days = 7): string {
        const id = `${name}-crl-${serial++}`;
        const index = join(dir, `${id}.index`);
        const asn1Time = (date: Date) => date.toISOString().replace(/^\d{2}(\d{2})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}).*$/, '$1$2$3$4$5$6Z');
        const lines = revoked.map((r) => {
          const x = new X509Certificate(r.certPem);
          const serialHex = x.serialNumber.length % 2 ? `0${x.serialNumber}` : x.serialNumber;
          return ['R', asn1Time(x.validToDate), asn1Time(new Date(Date.now() - 60_000)), serialHex.toUpperCase(), 'unknown', `/${x.subject.replace(/\n/g, '/')}`].join('\t');
        });
        writeFileSync(index, lines.map((l) => `${l}\n`).join(''));
        writeFileSync(join(dir, `${id}.crlnumber`), '01\n');
        const config = join(dir, `${id}.cnf`);
        writeFileSync(config, `[ca]\ndefault_ca = d\n[d]\ndatabase = ${index}\ncrlnumber = ${join(dir, `${id}.crlnumber`)}\ndefault_md = sha256\n`);
        const out = join(dir, `${id}.crl.pem`);
        openssl(['ca', '-gencrl', '-config', config, '-keyfile', cert.keyFile, '-cert', cert.certFile, '-crldays', String(days), '-out', out]);
        return readFileSync(out, 'utf8');
      },
    };
  }

  return {
    createCa(commonName: string): TestCertificateAuthority {
      const id = `ca-${serial++}`;
      const keyFile = newKey(id);
      const certFile = join(dir, `${id}.crt`);
      openssl([
        'req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${commonName}`, '-days', '30', '-sha256',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', certFile,
      ]);
      return authority(withFiles(keyFile, certFile), id);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
