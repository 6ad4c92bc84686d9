import type { IdentityProviderProfile } from '@mcpg/policy';
import { request } from 'undici';
import { z } from 'zod';
import { badUserInput } from '../errors/admin-error.js';

const DISCOVERY_TIMEOUT_MS = 5_000;
const MAX_METADATA_BYTES = 256 * 1024;

const metadataSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.string().optional(),
  introspection_endpoint: z.string().optional(),
});

export interface DiscoveredEndpoints {
  readonly jwksUri: string | null;
  readonly introspectionUrl: string | null;
}

/**
 * Where an authorization server publishes its metadata. RFC 8414 §3.1 inserts the well-known
 * segment before the issuer's path; OpenID Connect Discovery 1.0 §4 appends it. The
 * `oidc-discovery` profile is for IdPs that only have the latter.
 */
export function metadataUrlsOf(issuer: string, profile: IdentityProviderProfile): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const rfc8414 = `${url.origin}/.well-known/oauth-authorization-server${path}`;
  const oidc = `${url.origin}${path}/.well-known/openid-configuration`;
  return profile === 'oidc-discovery' ? [oidc] : [rfc8414];
}

/**
 * Fetches the authorization server's metadata once, when the admin saves the provider, and takes
 * its `jwks_uri` and `introspection_endpoint`. The document must name the configured issuer
 * (RFC 8414 §3.3), so a wrong URL cannot slip another server's keys in.
 */
export async function discoverEndpoints(issuer: string, profile: IdentityProviderProfile): Promise<DiscoveredEndpoints> {
  const problems: string[] = [];
  for (const url of metadataUrlsOf(issuer, profile)) {
    try {
      const res = await request(url, { method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
      if (res.statusCode !== 200) {
        await res.body.dump();
        problems.push(`${url} answered ${res.statusCode}`);
        continue;
      }
      const text = await res.body.text();
      if (text.length > MAX_METADATA_BYTES) throw new Error('metadata document too large');
      const metadata = metadataSchema.parse(JSON.parse(text));
      if (metadata.issuer !== issuer) {
        problems.push(`${url} names issuer ${metadata.issuer}`);
        continue;
      }
      return { jwksUri: metadata.jwks_uri ?? null, introspectionUrl: metadata.introspection_endpoint ?? null };
    } catch (err) {
      problems.push(`${url}: ${(err as Error).message}`);
    }
  }
  throw badUserInput('issuer', `authorization server metadata could not be discovered (${problems.join('; ')}); set jwksUri or introspectionUrl, or choose the profile that matches the IdP`);
}
