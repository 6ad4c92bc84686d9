import { JwkKeySet, parseCaBundle, parseCrlBundle } from '@mcpg/auth';
import { certificateIdentitySources, identityProviderProfiles, jwtAlgorithms } from '@mcpg/policy';
import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { z } from 'zod';
import { displayNameSchema, idSchema } from '../validation/field-schemas.js';

@InputType({ description: 'Fields of an identity provider; on update, omitted fields keep their value.' })
export class IdentityProviderFieldsInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, {
    nullable: true,
    description: '"jwt" (self-contained tokens for configured audiences), "oauth" (an OAuth 2.1 authorization server; tokens must name this resource, RFC 8707) or "mtls" (client certificates from caBundlePem).',
  })
  kind?: string;

  @Field(() => Int, { nullable: true, description: 'Order in which the proxy tries providers (lowest first). Default: after the last.' })
  position?: number;

  @Field(() => String, { nullable: true, description: 'Exact `iss` of the tokens.' })
  issuer?: string;

  @Field(() => [String], { nullable: true, description: 'Accepted `aud` values (kind jwt; OAuth client ids for some profiles).' })
  audiences?: string[];

  @Field(() => [String], { nullable: true, description: 'Allowed algorithms, of HS256, RS256, ES256, EdDSA. `none` is never allowed.' })
  algorithms?: string[];

  @Field(() => String, { nullable: true, description: 'JWKS URL (https; http only for loopback addresses).' })
  jwksUri?: string | null;

  @Field(() => String, { nullable: true, description: 'Inline public keys as a JWK Set (JSON text).' })
  jwks?: string | null;

  @Field(() => String, { nullable: true, description: 'HS256 shared secret, base64url, at least 32 bytes. Write-only.' })
  hmacSecret?: string | null;

  @Field(() => Int, { nullable: true, description: 'Tolerance for exp/nbf in seconds (0-600, default 60).' })
  clockSkewSeconds?: number;

  @Field(() => String, { nullable: true, description: 'Claim naming the subject (default "sub").' })
  subjectClaim?: string;

  @Field(() => String, { nullable: true, description: 'Claim holding scopes, space-separated or an array; dots reach into objects (default "scope").' })
  scopeClaim?: string;

  @Field(() => String, { nullable: true, description: 'RFC 7662 introspection endpoint for opaque tokens (kind oauth).' })
  introspectionUrl?: string | null;

  @Field(() => String, { nullable: true })
  clientId?: string | null;

  @Field(() => String, { nullable: true, description: 'Client secret for introspection. Write-only.' })
  clientSecret?: string | null;

  @Field(() => String, { nullable: true, description: 'standard | audience-is-client-id | no-resource-parameter | oidc-discovery (see README).' })
  profile?: string;

  @Field(() => String, { nullable: true, description: 'kind mtls: the trusted client CA certificates, PEM.' })
  caBundlePem?: string | null;

  @Field(() => String, { nullable: true, description: 'kind mtls: identity from subject-cn | san-uri | san-dns | san-email.' })
  certIdentityFrom?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'kind mtls: certificate revocation lists (PEM, -----BEGIN X509 CRL-----), each signed by a CA of caBundlePem. A certificate listed is refused; a CRL past its nextUpdate makes certificates of its CA fail closed until a fresh one is set.',
  })
  crlPem?: string | null;
}

@InputType()
export class CreateIdentityProviderInput extends IdentityProviderFieldsInput {
  @Field(() => ID)
  tenantId: string;
}

@InputType()
export class UpdateIdentityProviderInput extends IdentityProviderFieldsInput {
  @Field(() => ID)
  id: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Keys and tokens travel over this URL: https, except on the machine itself (tests, sidecars). */
export const fetchUrlSchema = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const url = URL.parse(value);
    const isSecure = url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.has(url.hostname));
    if (!url || !isSecure) ctx.addIssue({ code: 'custom', message: 'must be an https:// URL (http:// only for loopback addresses)' });
    else if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
  });

/** A JWK Set of public keys only: a private or symmetric key here would be published in every snapshot. */
const jwksTextSchema = z
  .string()
  .max(64 * 1024, 'must be at most 64 KiB')
  .transform((text, ctx) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
    const keys = (json as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.some((k) => k === null || typeof k !== 'object' || typeof (k as { kty?: unknown }).kty !== 'string')) {
      ctx.addIssue({ code: 'custom', message: 'must be a JWK Set: {"keys": [{"kty": …}, …]}' });
      return z.NEVER;
    }
    if (keys.some((k) => 'd' in k || 'k' in k)) {
      ctx.addIssue({ code: 'custom', message: 'must hold public keys only (no "d" or "k" members)' });
      return z.NEVER;
    }
    // The proxy leaves out keys it cannot use; saying so now beats tokens failing later.
    const unusable = new JwkKeySet({ keys }).skipped;
    if (unusable.length > 0) {
      ctx.addIssue({ code: 'custom', message: `has keys the proxy cannot use: ${unusable.map((k) => `${k.kid ?? '(no kid)'}: ${k.reason}`).join('; ')}` });
      return z.NEVER;
    }
    return { keys: keys as Array<Record<string, unknown>> };
  });

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (32 bytes). */
const hmacSecretSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
  .refine((s) => Buffer.from(s, 'base64url').length >= 32, 'must decode to at least 32 bytes');

const claimNameSchema = z.string().regex(/^[A-Za-z0-9_:.\-/]{1,100}$/, 'must be 1-100 characters of A-Z a-z 0-9 _ : . - /');
const textSchema = z.string().min(1, 'must not be empty').max(2048, 'must be at most 2048 characters');

/** Every field of a stored provider after defaults; validated as a whole on create and update. */
export const identityProviderSchema = z
  .object({
    name: displayNameSchema,
    kind: z.enum(['jwt', 'oauth', 'mtls'], 'must be "jwt", "oauth" or "mtls"'),
    position: z.number().int().min(0).max(1000),
    issuer: textSchema,
    audiences: z.array(textSchema).max(20, 'must have at most 20 entries'),
    algorithms: z.array(z.enum(jwtAlgorithms, `must be one of ${jwtAlgorithms.join(', ')}`)),
    jwksUri: fetchUrlSchema.nullable(),
    jwks: z.union([jwksTextSchema, z.object({ keys: z.array(z.record(z.string(), z.unknown())) })]).nullable(),
    hmacSecret: hmacSecretSchema.nullable(),
    clockSkewSeconds: z.number().int().min(0).max(600),
    subjectClaim: claimNameSchema,
    scopeClaim: claimNameSchema,
    introspectionUrl: fetchUrlSchema.nullable(),
    clientId: textSchema.nullable(),
    clientSecret: textSchema.nullable(),
    profile: z.enum(identityProviderProfiles, `must be one of ${identityProviderProfiles.join(', ')}`),
    caBundlePem: z.string().max(256 * 1024, 'must be at most 256 KiB').refine(isCaBundle, 'must be PEM CA certificates (basicConstraints CA:TRUE)').nullable(),
    certIdentityFrom: z.enum(certificateIdentitySources, `must be one of ${certificateIdentitySources.join(', ')}`).nullable(),
    crlPem: z.string().max(4 * 1024 * 1024, 'must be at most 4 MiB').nullable(),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (p.kind === 'mtls') {
      if (!p.caBundlePem) issue('caBundlePem', 'is required for an mtls provider');
      if (!p.certIdentityFrom) issue('certIdentityFrom', 'is required for an mtls provider');
      if (p.crlPem && p.caBundlePem && isCaBundle(p.caBundlePem)) {
        const problem = crlProblem(p.crlPem, p.caBundlePem);
        if (problem) issue('crlPem', problem);
      }
      return;
    }
    if (p.caBundlePem || p.certIdentityFrom) issue('caBundlePem', 'is only for mtls providers');
    if (p.crlPem) issue('crlPem', 'is only for mtls providers');
    if (p.algorithms.length === 0) issue('algorithms', 'must name at least one algorithm');
    const algorithms = [...new Set(p.algorithms)];
    if (algorithms.includes('HS256') && !p.hmacSecret) issue('hmacSecret', 'is required when HS256 is allowed');
    if (p.hmacSecret && !algorithms.includes('HS256')) issue('algorithms', 'must include HS256 when an hmacSecret is set');
    const hasAsymmetric = algorithms.some((a) => a !== 'HS256');
    const hasPublicKeys = p.jwksUri !== null || (p.jwks !== null && p.jwks.keys.length > 0);
    const hasIntrospection = p.introspectionUrl !== null;
    if (hasAsymmetric && !hasPublicKeys && !hasIntrospection) issue('jwksUri', 'or jwks is required for RS256, ES256 and EdDSA');
    if (p.kind === 'jwt' && p.audiences.length === 0) issue('audiences', 'must name at least one audience for a jwt provider');
    if (p.kind === 'jwt' && hasIntrospection) issue('introspectionUrl', 'is only for oauth providers');
    const needsAudiences = p.profile === 'audience-is-client-id' || p.profile === 'no-resource-parameter';
    if (p.kind === 'oauth' && needsAudiences && p.audiences.length === 0) issue('audiences', `must name the accepted audience(s) for profile ${p.profile}`);
    if (hasIntrospection !== (p.clientId !== null) || hasIntrospection !== (p.clientSecret !== null)) {
      issue('introspectionUrl', 'clientId and clientSecret must be set together');
    }
  })
  .transform((p) => ({ ...p, algorithms: [...new Set(p.algorithms)], audiences: [...new Set(p.audiences)] }));

/** Why the CRL bundle cannot be used with these CAs, or null. */
function crlProblem(crlPem: string, caBundlePem: string): string | null {
  try {
    parseCrlBundle(crlPem, parseCaBundle(caBundlePem));
    return null;
  } catch (err) {
    return `must be PEM CRLs signed by a CA of caBundlePem (${(err as Error).message})`;
  }
}

function isCaBundle(pem: string): boolean {
  try {
    parseCaBundle(pem);
    return true;
  } catch {
    return false;
  }
}

export type IdentityProviderFields = z.output<typeof identityProviderSchema>;

export const createIdentityProviderInputSchema = z.object({ tenantId: idSchema }).passthrough();
export const updateIdentityProviderInputSchema = z.object({ id: idSchema }).passthrough();
