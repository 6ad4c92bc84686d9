import type { SnapshotRedaction } from '@mcpg/policy';

export interface StoredRedaction {
  tenantId: string;
  redactResponses: boolean;
  argumentValues: string;
  customPatterns: unknown;
  auditToolResults: string;
  auditToolResultMaxBytes: number;
  updatedAt: Date;
}

/** The stored row as the snapshot carries it (rows are written only through the validated input). */
export function toSnapshotRedaction(row: StoredRedaction): SnapshotRedaction {
  return {
    redactResponses: row.redactResponses,
    argumentValues: row.argumentValues === 'hash' ? 'hash' : 'redact',
    customPatterns: (row.customPatterns as { name: string; pattern: string }[]).map((p) => ({ name: p.name, pattern: p.pattern })),
    auditToolResults: row.auditToolResults === 'on' ? 'on' : 'off',
    auditToolResultMaxBytes: row.auditToolResultMaxBytes,
  };
}
