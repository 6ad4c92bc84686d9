import { auditEventFixture, startWebhookReceiver, type WebhookReceiver } from '@mcpg/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryError } from './delivery-error.fixture.js';
import { WebhookSink } from './webhook-sink.js';

const SECRET = 'webhook-signing-secret-0123456789';

describe('WebhookSink', () => {
  let receiver: WebhookReceiver;
  let sink: WebhookSink;
  afterEach(async () => {
    await sink?.close();
    await receiver?.close();
  });

  it('posts a batch the receiver accepts after checking the HMAC signature, and a retried batch counts once', async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
    sink = new WebhookSink({ url: receiver.url, secret: SECRET, timeoutMs: 2000 });
    const events = [auditEventFixture(), auditEventFixture()];
    await sink.deliver(events);
    await sink.deliver(events);
    expect(receiver.events).toEqual(events);
    expect(receiver.requests).toBe(2);
  });

  it('fails when the signature does not verify (wrong secret), without revealing the secret', async () => {
    receiver = await startWebhookReceiver({ secret: 'the-receivers-secret-0123456789' });
    sink = new WebhookSink({ url: receiver.url, secret: SECRET, timeoutMs: 2000 });
    const err = await deliveryError(sink.deliver([auditEventFixture()]));
    expect(err.status).toBe(401);
    expect(err.message).not.toContain(SECRET);
    expect(receiver.rejected).toBe(1);
    expect(receiver.events).toEqual([]);
  });

  it('fails while the receiver answers 500 or 429', async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
    receiver.failNextRequests(1, 429);
    sink = new WebhookSink({ url: receiver.url, secret: SECRET, timeoutMs: 2000 });
    expect((await deliveryError(sink.deliver([auditEventFixture()]))).message).toContain('answered HTTP 429');
  });
});
