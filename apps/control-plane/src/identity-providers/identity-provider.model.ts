import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

/** An identity provider as admins see it: secrets are write-only and show only as `has…` flags. */
@ObjectType('IdentityProvider')
export class IdentityProviderModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  kind: string;

  @Field(() => Int)
  position: number;

  @Field(() => String)
  issuer: string;

  @Field(() => [String])
  audiences: string[];

  @Field(() => [String])
  algorithms: string[];

  @Field(() => String, { nullable: true })
  jwksUri: string | null;

  @Field(() => String, { nullable: true, description: 'Inline JWK Set (public keys), JSON text.' })
  jwks: string | null;

  @Field(() => Boolean)
  hasHmacSecret: boolean;

  @Field(() => Int)
  clockSkewSeconds: number;

  @Field(() => String)
  subjectClaim: string;

  @Field(() => String)
  scopeClaim: string;

  @Field(() => String, { nullable: true })
  introspectionUrl: string | null;

  @Field(() => String, { nullable: true })
  clientId: string | null;

  @Field(() => Boolean)
  hasClientSecret: boolean;

  @Field(() => String)
  profile: string;

  @Field(() => String, { nullable: true })
  caBundlePem: string | null;

  @Field(() => String, { nullable: true })
  certIdentityFrom: string | null;

  @Field(() => String, { nullable: true, description: 'kind mtls: the certificate revocation lists (PEM) in force.' })
  crlPem: string | null;

  @Field(() => Date)
  updatedAt: Date;
}

export const IdentityProviderConnection = ConnectionOf(IdentityProviderModel, 'IdentityProvider');
