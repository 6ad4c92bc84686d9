import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneHarness } from '../testing/control-plane-harness.js';

const SET = `mutation($input: SetRedactionSettingsInput!) {
  setRedactionSettings(input: $input) { tenantId redactResponses argumentValues customPatterns { name pattern } auditToolResults auditToolResultMaxBytes updatedAt }
}`;
const GET =
  'query($t: ID!) { redactionSettings(tenantId: $t) { redactResponses argumentValues customPatterns { name pattern } auditToolResults auditToolResultMaxBytes updatedAt } }';

describe('redaction settings', () => {
  let cp: ControlPlaneHarness;
  let tenantId: string;
  beforeAll(async () => {
    cp = await ControlPlaneHarness.start('cp_redaction');
    tenantId = (await cp.createTenant('acme')).id;
  });
  afterAll(() => cp?.close());

  it('has defaults before anything is set, and no redaction section in the snapshot', async () => {
    const { redactionSettings } = await cp.ok<{ redactionSettings: unknown }>(GET, { t: tenantId });
    expect(redactionSettings).toEqual({
      redactResponses: false,
      argumentValues: 'redact',
      customPatterns: [],
      auditToolResults: 'OFF',
      auditToolResultMaxBytes: 8192,
      updatedAt: null,
    });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.redaction).toBeUndefined();
  });

  it('stores the settings and publishes them in the next snapshot', async () => {
    const input = { tenantId, redactResponses: true, argumentValues: 'hash', customPatterns: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] };
    const { setRedactionSettings } = await cp.ok<{ setRedactionSettings: { updatedAt: string } }>(SET, { input });
    expect(setRedactionSettings).toMatchObject({
      tenantId,
      redactResponses: true,
      argumentValues: 'hash',
      customPatterns: input.customPatterns,
      auditToolResults: 'OFF',
      auditToolResultMaxBytes: 8192,
    });
    const { snapshot } = await cp.snapshotInRedis(tenantId);
    expect(snapshot.version).toBe(2);
    expect(snapshot.redaction).toEqual({
      redactResponses: true,
      argumentValues: 'hash',
      customPatterns: input.customPatterns,
      auditToolResults: 'off',
      auditToolResultMaxBytes: 8192,
    });
    expect((await cp.ok<{ redactionSettings: { updatedAt: string } }>(GET, { t: tenantId })).redactionSettings.updatedAt).not.toBeNull();
  });

  it.each([
    ['(a+)+$', /catastrophic_backtracking: a repeated group that itself contains a repetition/],
    ['^(a|ab)*c', /catastrophic_backtracking: a repeated group of alternatives/],
    ['(x', /invalid: not a valid regular expression/],
    ['.*', /matches_empty/],
  ])('refuses the custom pattern %s with BAD_USER_INPUT and a clear reason, publishing nothing', async (pattern, message) => {
    const result = await cp.graphql(SET, { input: { tenantId, redactResponses: false, argumentValues: 'redact', customPatterns: [{ name: 'bad', pattern }] } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customPatterns' });
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(result.errors?.[0]?.message).toContain('customPatterns[0].pattern');
    expect(await cp.manifestVersion(tenantId)).toBe(2);
  });

  it('refuses an unknown argument mode and answers an unknown tenant with NOT_FOUND', async () => {
    const bad = await cp.graphql(SET, { input: { tenantId, redactResponses: false, argumentValues: 'encrypt', customPatterns: [] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'argumentValues' });
    const unknown = await cp.graphql(GET, { t: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'tenantId' });
  });

  it('turns tool results in audit events on with a cap, records the change, and turns them off again when left out', async () => {
    const base = { tenantId, redactResponses: false, argumentValues: 'redact', customPatterns: [] };
    const on = await cp.ok<{ setRedactionSettings: unknown }>(SET, { input: { ...base, auditToolResults: 'ON', auditToolResultMaxBytes: 1024 } });
    expect(on.setRedactionSettings).toMatchObject({ auditToolResults: 'ON', auditToolResultMaxBytes: 1024 });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.redaction).toMatchObject({ auditToolResults: 'on', auditToolResultMaxBytes: 1024 });
    // admin.change events reach the queue asynchronously: wait for this one.
    const turnedOn = async () =>
      (await cp.auditEvents()).find((e) => e.method === 'setRedactionSettings' && (e.change?.after as { auditToolResults?: string } | null)?.auditToolResults === 'on');
    await expect.poll(turnedOn).toBeDefined();
    expect((await turnedOn())!.change).toMatchObject({ before: { auditToolResults: 'off' }, after: { auditToolResultMaxBytes: 1024 } });

    const off = await cp.ok<{ setRedactionSettings: unknown }>(SET, { input: base });
    expect(off.setRedactionSettings).toMatchObject({ auditToolResults: 'OFF', auditToolResultMaxBytes: 8192 });
    expect((await cp.snapshotInRedis(tenantId)).snapshot.redaction).toMatchObject({ auditToolResults: 'off', auditToolResultMaxBytes: 8192 });
  });

  it.each([0, 255, 65537])('refuses a tool result cap of %d bytes with BAD_USER_INPUT, publishing nothing', async (bytes) => {
    const version = await cp.manifestVersion(tenantId);
    const result = await cp.graphql(SET, {
      input: { tenantId, redactResponses: false, argumentValues: 'redact', customPatterns: [], auditToolResults: 'ON', auditToolResultMaxBytes: bytes },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'auditToolResultMaxBytes' });
    expect(await cp.manifestVersion(tenantId)).toBe(version);
  });
});
