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
