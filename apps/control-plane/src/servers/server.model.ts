import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';
import { UpstreamCredentialKindInput } from './server.input.js';

@ObjectType('StdioCommand', { description: 'What proxies spawn for a stdio server. Environment values are not shown.' })
export class StdioCommandModel {
  @Field(() => String)
  command: string;

  @Field(() => [String])
  args: string[];

  @Field(() => [String])
  envNames: string[];

  @Field(() => String, { nullable: true })
  cwd?: string;
}

@ObjectType('UpstreamServer', { description: 'An MCP server the proxy forwards to, at /t/{tenant}/{name}/mcp.' })
export class UpstreamServerModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  tenantId: string;

  @Field(() => String)
  name: string;

  @Field(() => String)
  url: string;

  @Field(() => String, { description: '"streamable-http" (clients use /mcp) or "sse" (legacy HTTP+SSE; clients use /sse and /messages).' })
  transport: string;

  @Field(() => UpstreamCredentialKindInput, { nullable: true, description: 'Kind of the credential the proxy sends (see hasCredential); its value is never shown.' })
  credentialKind: string | null;

  @Field(() => String, { nullable: true, description: 'For HEADER credentials: the header name (lower case).' })
  credentialHeaderName: string | null;

  @Field(() => Date)
  createdAt: Date;
}

export const UpstreamServerConnection = ConnectionOf(UpstreamServerModel, 'UpstreamServer');
