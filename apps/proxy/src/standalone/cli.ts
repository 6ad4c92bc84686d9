import { watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { generateApiKey } from '@mcpg/auth';
import { AUDIT_VERIFY_USAGE, auditVerifyCommand } from './audit-verify-command.js';
import { loadStandaloneConfig } from './standalone-config.js';
import { StandaloneCredentialError, startStandaloneProxy } from './standalone-proxy.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `usage:
  mcp-guard run --config mcp-guard.yaml        run the proxy for the file's tenant (no PostgreSQL, no Redis)
  mcp-guard validate --config mcp-guard.yaml   check the file; print every error with its path
  mcp-guard keygen                             print a new API key (give it to the client) and its hash (put it in the file)
${AUDIT_VERIFY_USAGE}`;

function configPath(args: readonly string[]): string {
  const i = args.indexOf('--config');
  if (i !== -1 && args[i + 1]) return args[i + 1]!;
  return args.find((a) => !a.startsWith('-')) ?? 'mcp-guard.yaml';
}

/** What `run` hands its caller once the proxy listens: stop it, or re-read the file now (SIGHUP). */
export interface RunningCli {
  close(): Promise<void>;
  reload(): Promise<void>;
}

/** Edits arrive as several writes (or a rename, from editors): one reload after they settle. */
const RELOAD_SETTLE_MS = 200;

/** Runs one command; resolves with the exit code (`run` resolves once the proxy listens). */
export async function runCli(argv: readonly string[], io: CliIo, onStarted?: (running: RunningCli) => void): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'keygen': {
      const key = generateApiKey();
      io.out(`key:  ${key.secret}`);
      io.out(`hash: "${key.hash}"`);
      return 0;
    }
    case 'validate':
    case 'run': {
      const path = configPath(args);
      const loaded = await loadStandaloneConfig(path);
      if (!loaded.ok) {
        for (const error of loaded.errors) io.err(`${path}: ${error}`);
        return 1;
      }
      if (command === 'validate') {
        io.out(`${path}: valid (${loaded.config.servers.length} server(s), ${loaded.config.keys.length} key(s))`);
        return 0;
      }
      let proxy;
      try {
        proxy = await startStandaloneProxy(loaded.config, { configPath: path });
      } catch (err) {
        if (!(err instanceof StandaloneCredentialError)) throw err;
        io.err(`${path}: ${err.message}`);
        return 1;
      }
      io.err(`mcp-guard: tenant "${loaded.config.tenant}" at ${proxy.url}/t/${loaded.config.tenant}/{server}/mcp`);
      const reload = async () => {
        const outcome = await proxy.reload();
        if (outcome.ok) io.err(`mcp-guard: ${path} reloaded (policy version ${outcome.version})`);
        else for (const error of outcome.errors) io.err(`mcp-guard: ${path} not applied, the running policy stays: ${error}`);
      };
      const watcher = watchFile(path, () => void reload());
      io.err(`mcp-guard: watching ${path} for changes (or send SIGHUP)`);
      onStarted?.({
        reload,
        close: async () => {
          watcher.close();
          await proxy.close();
        },
      });
      return 0;
    }
    case 'audit':
      if (args[0] === 'verify') return auditVerifyCommand(args.slice(1), io);
      io.err(USAGE);
      return 2;
    default:
      io.err(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

/**
 * Calls `onChange` once the file has settled after a change. The directory is watched, not the
 * file: editors that save by writing a new file and renaming it would end a watch on the file.
 */
function watchFile(path: string, onChange: () => void): { close(): void } {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(resolve(path)), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, RELOAD_SETTLE_MS);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
