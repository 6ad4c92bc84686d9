/**
 * The admin API's typed errors. Services throw these; `AdminErrorFilter` turns them (and Prisma's
 * own errors) into GraphQL errors with `extensions.code` in one place (DESIGN.md §8).
 */
export type AdminErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN';

export class AdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    /** Input field the error is about, as named in the GraphQL input (`slug`, `toolGlobs`, `id`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export const badUserInput = (field: string, message: string) => new AdminError('BAD_USER_INPUT', message, field);
export const notFound = (field: string, what: string) => new AdminError('NOT_FOUND', `${what} not found`, field);
export const conflict = (field: string | undefined, message: string) => new AdminError('CONFLICT', message, field);
export const forbidden = (message: string) => new AdminError('FORBIDDEN', message);
