import { z } from 'zod';

/** What goes over the `mcpg:snapshots` channel: a pointer to the new version, or a tombstone. */
export const snapshotMessageSchema = z.union([
  z.object({ tenantId: z.string(), version: z.number().int().positive() }),
  z.object({ tenantId: z.string(), deleted: z.literal(true) }),
]);
export type SnapshotMessage = z.infer<typeof snapshotMessageSchema>;
