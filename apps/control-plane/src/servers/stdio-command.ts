import { stdioCommandSchema, type StdioCommand } from '@mcpg/policy';

/** The stored command of a stdio server (UpstreamServer.stdio JSON); null for other servers. */
export function stdioCommandOf(server: { stdio?: unknown }): StdioCommand | null {
  if (server.stdio === null || server.stdio === undefined) return null;
  const parsed = stdioCommandSchema.safeParse(server.stdio);
  return parsed.success ? parsed.data : null;
}
