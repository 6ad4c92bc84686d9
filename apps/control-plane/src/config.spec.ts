import { generateSnapshotKeyPair } from '@mcpg/policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneConfigError, loadControlPlaneConfig } from './config.js';

describe('loadControlPlaneConfig', () => {
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    const { privateKeyPem } = await generateSnapshotKeyPair();
    env = {
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db',
      MCPG_ADMIN_TOKEN: 'a-long-enough-admin-token',
      MCPG_SNAPSHOT_SIGNING_KEY: privateKeyPem,
    };
  });

  it('applies the documented defaults', () => {
    const config = loadControlPlaneConfig(env);
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: '',
      host: '127.0.0.1',
      port: 4000,
      snapshotKeyId: undefined,
      isPlaygroundEnabled: true,
    });
  });

  it('turns the playground and introspection off in production unless asked for', () => {
    expect(loadControlPlaneConfig({ ...env, NODE_ENV: 'production' }).isPlaygroundEnabled).toBe(false);
    expect(loadControlPlaneConfig({ ...env, NODE_ENV: 'production', MCPG_GRAPHQL_PLAYGROUND: 'true' }).isPlaygroundEnabled).toBe(true);
    expect(loadControlPlaneConfig({ ...env, MCPG_GRAPHQL_PLAYGROUND: '0' }).isPlaygroundEnabled).toBe(false);
  });

  it('accepts port 0 and a PEM with escaped newlines', () => {
    const escaped = env.MCPG_SNAPSHOT_SIGNING_KEY!.replace(/\n/g, '\\n');
    const config = loadControlPlaneConfig({ ...env, CONTROL_PLANE_PORT: '0', MCPG_SNAPSHOT_SIGNING_KEY: escaped });
    expect(config.port).toBe(0);
    expect(config.snapshotSigningKeyPem).toBe(env.MCPG_SNAPSHOT_SIGNING_KEY);
  });

  it('names every invalid variable without echoing secret values', () => {
    const secret = 'short-secret';
    let error: unknown;
    try {
      loadControlPlaneConfig({ MCPG_ADMIN_TOKEN: secret, CONTROL_PLANE_PORT: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ControlPlaneConfigError);
    const message = (error as Error).message;
    for (const name of ['DATABASE_URL', 'MCPG_ADMIN_TOKEN', 'MCPG_SNAPSHOT_SIGNING_KEY', 'CONTROL_PLANE_PORT']) {
      expect(message).toContain(name);
    }
    expect(message).toContain('DATABASE_URL: is required');
    expect(message).not.toContain(secret);
  });
});
