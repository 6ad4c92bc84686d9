import { z } from 'zod';
import { badUserInput } from '../errors/admin-error.js';
import { idSchema } from './field-schemas.js';

/**
 * Validates a GraphQL argument against its zod schema. The first problem becomes a
 * BAD_USER_INPUT error whose `field` is the input field's name; the message says where inside it.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const field = String(path[0] ?? 'input');
  const where = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  throw badUserInput(field, `${where || field}: ${issue?.message ?? 'invalid value'}`);
}

/** Validates an id argument (`tenant(id:)`, `revokeApiKey(id:)`, `servers(tenantId:)`). */
export function parseId(field: string, value: unknown): string {
  return parseInput(z.object({ [field]: idSchema }), { [field]: value })[field] as string;
}
