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

/** Runs one command; resolves with the exit code (`run` resolves once the proxy listens). */
export async function runCli(argv: readonly string[], io: CliIo, onStarted?: (close: () => Promise<void>) => void): Promise<number> {
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
        proxy = await startStandaloneProxy(loaded.config);
      } catch (err) {
        if (!(err instanceof StandaloneCredentialError)) throw err;
        io.err(`${path}: ${err.message}`);
        return 1;
      }
      io.err(`mcp-guard: tenant "${loaded.config.tenant}" at ${proxy.url}/t/${loaded.config.tenant}/{server}/mcp`);
      onStarted?.(() => proxy.close());
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
