import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { parseCertificateChain } from '@mcpg/auth';

export interface PresentedCertificate {
  /** Leaf first, then any intermediates; null when the client presented none (that we may use). */
  readonly chain: X509Certificate[] | null;
  /** The client-certificate header came from an address that is not a trusted reverse proxy. */
  readonly isUntrustedHeader: boolean;
}

const NONE: PresentedCertificate = { chain: null, isUntrustedHeader: false };

/** `a.b.c.d/n` or `x::y/n`; a bare address means that one host. */
export function trustedProxyList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefixText] = cidr.split('/');
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
    if (!family) throw new Error(`invalid proxy configuration: MCPG_TRUSTED_PROXY_CIDRS: "${cidr}" is not an address or CIDR`);
    const prefix = prefixText === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128)) {
      throw new Error(`invalid proxy configuration: MCPG_TRUSTED_PROXY_CIDRS: "${cidr}" has an invalid prefix length`);
    }
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/**
 * Finds the client certificate of a request: from the TLS handshake when the proxy terminates TLS,
 * or from a header set by a TLS-terminating reverse proxy (URL-encoded PEM, as nginx's
 * `$ssl_client_escaped_cert`) — the header only when the connection comes from a trusted address,
 * since anyone else could write any certificate into it.
 */
export class ClientCertificateSource {
  constructor(
    private readonly trustedProxies: BlockList,
    private readonly headerName: string,
  ) {}

  read(req: IncomingMessage): PresentedCertificate {
    const socket = req.socket as Partial<TLSSocket>;
    if (typeof socket.getPeerX509Certificate === 'function') {
      const leaf = socket.getPeerX509Certificate();
      if (leaf) return { chain: [leaf, ...intermediatesOf(socket as TLSSocket)], isUntrustedHeader: false };
    }
    const header = req.headers[this.headerName];
    if (typeof header !== 'string' || header.length === 0) return NONE;
    if (!this.isTrusted(req.socket.remoteAddress)) return { chain: null, isUntrustedHeader: true };
    try {
      const chain = parseCertificateChain(decodeURIComponent(header));
      return { chain: chain.length > 0 ? chain : null, isUntrustedHeader: false };
    } catch {
      return NONE;
    }
  }

  private isTrusted(address: string | undefined): boolean {
    if (!address) return false;
    const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
    return this.trustedProxies.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  }
}

/** CA certificates the client sent along with its own (RFC 8446 §4.4.2 certificate_list). */
function intermediatesOf(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let current = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (current?.issuerCertificate && current.issuerCertificate !== current && out.length < 5) {
    current = current.issuerCertificate;
    if (!current.raw || seen.has(current.fingerprint256)) break;
    seen.add(current.fingerprint256);
    out.push(new X509Certificate(current.raw));
  }
  return out;
}
