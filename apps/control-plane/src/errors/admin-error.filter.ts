import { Prisma } from '@mcpg/db';
import type { Logger } from '@mcpg/observability';
import { Catch, Inject, type ArgumentsHost } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { LOGGER } from '../control-plane.tokens.js';
import { AdminError, conflict, notFound } from './admin-error.js';

/**
 * The one place where errors become GraphQL errors (DESIGN.md §8): typed `AdminError`s keep their
 * code and field, Prisma's unique and not-found errors are translated, anything else is logged
 * and answered with a generic INTERNAL_SERVER_ERROR so database details never reach a client.
 */
@Catch()
export class AdminErrorFilter implements GqlExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, _host: ArgumentsHost): GraphQLError {
    if (exception instanceof GraphQLError) return exception;
    const adminError = exception instanceof AdminError ? exception : fromPrismaError(exception);
    if (adminError) {
      return new GraphQLError(adminError.message, {
        extensions: { code: adminError.code, ...(adminError.field ? { field: adminError.field } : {}) },
      });
    }
    this.logger.error('admin request failed', { err: exception });
    return new GraphQLError('internal error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

function fromPrismaError(err: unknown): AdminError | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  switch (err.code) {
    case 'P2002': {
      const field = constraintField(err.meta);
      return conflict(field, field ? `${field} is already taken` : 'already exists');
    }
    case 'P2003': {
      // A foreign key pointing nowhere: the row the input refers to (a tenant, a key) does not exist.
      const field = constraintField(err.meta) ?? 'id';
      return notFound(field, `${field} refers to a record that was`);
    }
    case 'P2025':
      return notFound('id', 'record');
    default:
      return undefined;
  }
}

/**
 * The input field a violated constraint is about. The pg driver adapter reports only the index
 * name (`UpstreamServer_tenantId_name_key`), in Prisma's default `{Model}_{fields}_{key|fkey}`
 * form; the scoping `tenantId` of a per-tenant unique name is not what the admin got wrong.
 */
function constraintField(meta: Record<string, unknown> | undefined): string | undefined {
  const cause = (meta?.driverAdapterError as { cause?: { table?: string; constraint?: { index?: string; fields?: string[] } } })?.cause;
  const fields =
    cause?.constraint?.fields ??
    (Array.isArray(meta?.target) ? (meta.target as string[]) : undefined) ??
    cause?.constraint?.index
      ?.replace(new RegExp(`^${cause.table ?? '[^_]+'}_`), '')
      .replace(/_(key|fkey)$/, '')
      .split('_');
  if (!fields) return undefined;
  return fields.find((f) => f !== 'tenantId') ?? fields[0];
}
