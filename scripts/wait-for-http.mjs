// Waits until every URL given answers 200 (used by the quick-start); exits 1 after the timeout.
const urls = process.argv.slice(2);
const deadline = Date.now() + Number(process.env.WAIT_TIMEOUT_MS ?? 60_000);
for (const url of urls) {
  for (;;) {
    try {
      const res = await fetch(url, { method: url.endsWith('/graphql') ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: url.endsWith('/graphql') ? '{"query":"{__typename}"}' : undefined });
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      console.error(`timed out waiting for ${url}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
