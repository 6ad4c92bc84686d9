/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. For state that arrives asynchronously (snapshots, pub/sub). */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
