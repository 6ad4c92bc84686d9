import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ConnectionOf } from '../pagination/connection.model.js';

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

  @Field(() => Date)
  createdAt: Date;
}

export const UpstreamServerConnection = ConnectionOf(UpstreamServerModel, 'UpstreamServer');
