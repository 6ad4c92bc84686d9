import { describe, expect, it } from 'vitest';
import { compileSnapshot } from './compile-snapshot.js';
import { describeSnapshotChanges, diffSnapshots } from './snapshot-diff.js';

const hash = (c: string) => c.repeat(64);
const tenant = { id: 't1', slug: 'acme' };
const key = { id: 'k1', name: 'ci', prefix: 'mcpg_abc', hash: hash('a'), revokedAt: null };

describe('diffSnapshots', () => {
  it('reports added, removed and changed objects by id, field by field, without key hashes', () => {
    const from = compileSnapshot(
      { tenant, servers: [{ id: 's1', name: 'files', url: 'http://a/mcp' }], apiKeys: [key], toolRules: [{ id: 'r1', apiKeyId: 'k1', toolGlobs: ['echo'] }] },
      1,
    );
    const to = compileSnapshot(
      {
        tenant,
        servers: [{ id: 's2', name: 'search', url: 'http://b/mcp' }],
        apiKeys: [{ ...key, revokedAt: new Date('2026-01-01T00:00:00Z') }],
        toolRules: [{ id: 'r1', apiKeyId: 'k1', toolGlobs: ['echo', 'get-*'] }],
      },
      2,
    );
    const changes = diffSnapshots(from, to);
    expect(changes.map((c) => [c.section, c.id, c.kind, c.fields])).toEqual([
      ['servers', 's1', 'removed', ['id', 'name', 'transport', 'url']],
      ['servers', 's2', 'added', ['id', 'name', 'transport', 'url']],
      ['apiKeys', 'k1', 'changed', ['revokedAt']],
      ['rules', 'r1', 'changed', ['toolGlobs']],
    ]);
    expect(JSON.stringify(changes)).not.toContain(hash('a'));
    expect(describeSnapshotChanges(changes).split('\n')).toEqual([
      '- servers s1 {"id":"s1","name":"files","url":"http://a/mcp","transport":"streamable-http"}',
      '+ servers s2 {"id":"s2","name":"search","url":"http://b/mcp","transport":"streamable-http"}',
      '~ apiKeys k1 revokedAt: null → "2026-01-01T00:00:00.000Z"',
      '~ rules r1 toolGlobs: ["echo"] → ["echo","get-*"]',
    ]);
  });

  it('finds no change between two versions of the same content', () => {
    const model = { tenant, servers: [], apiKeys: [key], toolRules: [] };
    expect(diffSnapshots(compileSnapshot(model, 1), compileSnapshot(model, 7, new Date(0)))).toEqual([]);
  });
});
