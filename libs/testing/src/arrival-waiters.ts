import type { Server } from 'node:http';

/** Lets a test wait until a fake receiver has collected enough items, bounded in time. */
export class ArrivalWaiters {
  private readonly waiters = new Set<() => void>();

  /** Call after items were added. */
  notify(): void {
    for (const wake of this.waiters) wake();
  }

  /** Resolves with `items` once it holds `count`; rejects after `timeoutMs` with `progress()` in the message. */
  waitFor<T>(items: T[], count: number, timeoutMs: number, progress: () => string): Promise<T[]> {
    if (items.length >= count) return Promise.resolve(items);
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (items.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(items);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`${progress()} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }
}

/** Closes a test server, cutting keep-alive connections so the close does not wait for clients. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Lets a test hold a fake receiver's requests open (a sink that hangs) and release them later:
 * while held, every request waits in `pass()` before it is answered.
 */
export class RequestGate {
  private releaseAll: (() => void) | null = null;
  private gate: Promise<void> | null = null;
  private waiting = 0;
  private readonly arrivals = new ArrivalWaiters();
  private readonly heldList: unknown[] = [];

  hold(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.releaseAll = resolve));
  }

  /** Answers every held request and lets later ones through at once. */
  release(): void {
    this.releaseAll?.();
    this.gate = null;
    this.releaseAll = null;
  }

  /** Requests waiting right now. */
  get held(): number {
    return this.waiting;
  }

  /** Resolves once at least `count` requests are being held; rejects after `timeoutMs`. */
  async waitForHeld(count: number, timeoutMs = 10_000): Promise<void> {
    await this.arrivals.waitFor(this.heldList, count, timeoutMs, () => `${this.waiting} of ${count} requests held`);
  }

  async pass(): Promise<void> {
    const gate = this.gate;
    if (!gate) return;
    this.waiting++;
    this.heldList.push(null);
    this.arrivals.notify();
    try {
      await gate;
    } finally {
      this.waiting--;
      this.heldList.pop();
    }
  }
}
