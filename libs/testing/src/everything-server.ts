import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { freePort } from './free-port.js';

export interface RunningMcpServer {
  /** Streamable HTTP endpoint, e.g. http://127.0.0.1:PORT/mcp (legacy mode: …/sse) */
  readonly url: string;
  readonly process: ChildProcess;
  close(): Promise<void>;
}

/** What the server prints once it listens, per transport mode. */
const READY: Record<EverythingHttpMode, string> = { streamableHttp: 'listening on port', sse: 'Server is running on port' };
export type EverythingHttpMode = 'streamableHttp' | 'sse';

/**
 * Starts the reference MCP server `@modelcontextprotocol/server-everything` as a child process: a
 * real MCP server that nobody on this project wrote. `streamableHttp` (default) serves `/mcp`;
 * `sse` serves the legacy HTTP+SSE transport at `/sse` (url) and `/message`.
 */
export async function startEverythingServer(mode: EverythingHttpMode = 'streamableHttp'): Promise<RunningMcpServer> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [entry, mode], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = await new Promise<boolean>((resolve) => {
      let stderr = '';
      const timer = setTimeout(() => resolve(false), 15_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(READY[mode])) {
          clearTimeout(timer);
          resolve(true);
        }
        if (stderr.includes('already in use')) {
          clearTimeout(timer);
          resolve(false);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!started) {
      child.kill('SIGKILL');
      continue;
    }
    child.stderr!.resume();
    return {
      url: `http://127.0.0.1:${port}${mode === 'sse' ? '/sse' : '/mcp'}`,
      process: child,
      close: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  throw new Error('could not start @modelcontextprotocol/server-everything');
}
