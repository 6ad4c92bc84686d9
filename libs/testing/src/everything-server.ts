import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { freePort } from './free-port.js';

export interface RunningMcpServer {
  /** Streamable HTTP endpoint, e.g. http://127.0.0.1:PORT/mcp */
  readonly url: string;
  readonly process: ChildProcess;
  close(): Promise<void>;
}

/**
 * Starts the reference MCP server `@modelcontextprotocol/server-everything` in its Streamable
 * HTTP mode as a child process: a real MCP server that nobody on this project wrote.
 */
export async function startEverythingServer(): Promise<RunningMcpServer> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [entry, 'streamableHttp'], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const started = await new Promise<boolean>((resolve) => {
      let stderr = '';
      const timer = setTimeout(() => resolve(false), 15_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('listening on port')) {
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
      url: `http://127.0.0.1:${port}/mcp`,
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
