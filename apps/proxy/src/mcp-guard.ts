#!/usr/bin/env node
import { runCli } from './standalone/cli.js';

const io = { out: (line: string) => process.stdout.write(line + '\n'), err: (line: string) => process.stderr.write(line + '\n') };
const code = await runCli(process.argv.slice(2), io, (running) => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.close().then(() => process.exit(0)));
  process.on('SIGHUP', () => void running.reload());
});
if (process.argv[2] !== 'run' || code !== 0) process.exit(code);
