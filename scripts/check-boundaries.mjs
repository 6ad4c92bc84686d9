// Enforces DESIGN.md §3 library boundaries without an Nx lint plugin (none exists for Nx 24 in
// this registry): data-plane code must never import the database layer, and projects import
// each other only through `@mcpg/<lib>` (their public index), never by relative path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dataPlane = ['apps/proxy', 'apps/siem-exporter', 'libs/policy', 'libs/auth', 'libs/mcp', 'libs/ratelimit', 'libs/audit', 'libs/bus'];
const problems = [];

function* tsFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* tsFiles(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

for (const group of ['apps', 'libs']) {
  for (const project of readdirSync(join(root, group))) {
    const projectDir = `${group}/${project}`;
    const src = join(root, projectDir, 'src');
    try { statSync(src); } catch { continue; }
    for (const file of tsFiles(src)) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/from\s+'([^']+)'/g)) {
        const rel = relative(root, file);
        if (dataPlane.includes(projectDir) && (spec === '@mcpg/db' || spec.includes('@prisma/'))) problems.push(`${rel}: data-plane code imports ${spec}`);
        if (spec.startsWith('.') && spec.includes('../../')) {
          const target = relative(root, join(file, '..', spec));
          if (!target.startsWith(projectDir)) problems.push(`${rel}: imports ${spec} across projects; use @mcpg/<lib>`);
        }
      }
    }
  }
}
if (problems.length) {
  console.error('Module boundary violations:\n' + problems.join('\n'));
  process.exit(1);
}
