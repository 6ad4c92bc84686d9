import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ServerResponse } from 'node:http';
import {
  errorResponse,
  isRequest,
  isResponse,
  MCPG_UPSTREAM_ERROR,
  serializeSseEvent,
  validateMessage,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from '@mcpg/mcp';
import type { Logger } from '@mcpg/observability';
import type { StdioCommand } from '@mcpg/policy';
import type { ResponseInspector } from './response-inspector.js';
import { rpcKey } from './rpc-key.js';

/**
 * One session with a stdio upstream: a child process the proxy spawned for it, spoken to in
 * newline-delimited JSON-RPC (MCP stdio transport). The proxy is the Streamable HTTP server
 * towards the client: answers to a POST's requests (and progress for them) go on that POST's SSE
 * stream; everything else the server sends goes on the client's GET stream, or waits (bounded)
 * until one is open. If the process dies it is started again and re-initialized with the
 * client's original `initialize`, so the session goes on; requests in flight get an error.
 *
 * Sessions live in the proxy process that spawned them: they do not move between replicas.
 */

/** Environment a spawned server inherits from the proxy; everything else comes from its config. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'USER', 'SHELL', 'TERM'];
const MAX_BUFFERED_MESSAGES = 200;
const MAX_STDERR_LINE = 2_000;
const KILL_GRACE_MS = 2_000;

export interface StdioSessionOptions {
  serverName: string;
  command: StdioCommand;
  maxRestarts: number;
  idleTimeoutMs: number;
  log: Logger;
  onClosed(): void;
}

/** Where messages for one POST go, while it waits for its answers. */
interface PostStream {
  pending: Set<string>;
  progressTokens: Set<string | number>;
  write(message: unknown): void;
  end(): void;
}

export class StdioSession {
  private child!: ChildProcessWithoutNullStreams;
  private initialize: JsonRpcRequest | null = null;
  private restarts = 0;
  private isClosed = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly posts = new Set<PostStream>();
  private standalone: { res: ServerResponse; inspector: ResponseInspector } | null = null;
  private readonly buffered: unknown[] = [];
  /** Internal ids of re-initializations after a restart: their answers are not the client's. */
  private readonly internalIds = new Set<string>();

  constructor(private readonly options: StdioSessionOptions) {
    this.spawn();
    this.touch();
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Sends client messages to the process. Requests' answers go to `post`, if given. */
  send(messages: readonly JsonRpcMessage[], post: { res: ServerResponse; inspector: ResponseInspector } | null): void {
    this.touch();
    if (post) this.openPostStream(messages, post);
    for (const message of messages) {
      if (isRequest(message) && message.method === 'initialize' && !this.initialize) this.initialize = message;
      this.write(message);
    }
  }

  /** The client's GET stream; only one at a time (MCP: the server may refuse a second with 409). */
  attachStandalone(res: ServerResponse, inspector: ResponseInspector): boolean {
    if (this.standalone) return false;
    this.touch();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    this.standalone = { res, inspector };
    res.on('close', () => {
      if (this.standalone?.res === res) this.standalone = null;
    });
    for (const message of this.buffered.splice(0)) this.writeEvent(res, inspector, message);
    return true;
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.options.log.info('stdio upstream session closed', { server: this.options.serverName, reason });
    this.failPending('Upstream MCP server session ended');
    this.standalone?.res.end();
    this.kill();
    this.options.onClosed();
  }

  private spawn(): void {
    const { command, args, env, cwd } = this.options.command;
    const inherited = Object.fromEntries(INHERITED_ENV.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k]!]] : [])));
    const child = spawn(command, args, { cwd, env: { ...inherited, ...env }, stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    this.child = child;
    createInterface({ input: child.stdout }).on('line', (line) => this.receive(line));
    createInterface({ input: child.stderr }).on('line', (line) =>
      this.options.log.info('stdio upstream stderr', { server: this.options.serverName, pid: child.pid, line: line.slice(0, MAX_STDERR_LINE) }),
    );
    child.stdin.on('error', () => undefined); // the exit handler below decides what happens
    child.on('error', (err) => this.options.log.warn('stdio upstream failed to start', { server: this.options.serverName, err }));
    child.on('exit', (code, signal) => {
      if (this.isClosed || child !== this.child) return;
      this.options.log.warn('stdio upstream exited', { server: this.options.serverName, code, signal, restarts: this.restarts });
      this.failPending('Upstream MCP server restarted; retry the request');
      if (this.restarts >= this.options.maxRestarts) return this.close('too_many_restarts');
      this.restarts += 1;
      this.spawn();
      this.reinitialize();
    });
  }

  /** After a restart the new process must see the client's handshake again. */
  private reinitialize(): void {
    if (!this.initialize) return;
    const id = `mcpg-reinit-${this.restarts}`;
    this.internalIds.add(rpcKey(id));
    this.write({ ...this.initialize, id });
    this.write({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  private write(message: unknown): void {
    if (!this.child.stdin.writable) return;
    this.child.stdin.write(JSON.stringify(message) + '\n');
  }

  private receive(line: string): void {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.options.log.warn('stdio upstream wrote a line that is not JSON', { server: this.options.serverName, line: line.slice(0, 200) });
      return;
    }
    const message = validateMessage(json);
    if (typeof message === 'string') return;
    if (isResponse(message)) {
      const key = rpcKey(message.id ?? null);
      if (this.internalIds.delete(key)) return;
      for (const post of this.posts) {
        if (!post.pending.delete(key)) continue;
        post.write(message);
        if (post.pending.size === 0) post.end();
        return;
      }
    } else if (message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: string | number } | undefined)?.progressToken;
      for (const post of this.posts) {
        if (token !== undefined && post.progressTokens.has(token)) return post.write(message);
      }
    }
    this.toStandalone(message);
  }

  private toStandalone(message: unknown): void {
    if (this.standalone) return this.writeEvent(this.standalone.res, this.standalone.inspector, message);
    if (this.buffered.length >= MAX_BUFFERED_MESSAGES) this.buffered.shift();
    this.buffered.push(message);
  }

  private openPostStream(messages: readonly JsonRpcMessage[], post: { res: ServerResponse; inspector: ResponseInspector }): void {
    const requests = messages.filter(isRequest);
    const stream: PostStream = {
      pending: new Set(requests.map((r) => rpcKey(r.id))),
      progressTokens: new Set(
        requests.flatMap((r) => {
          const token = (r.params as { _meta?: { progressToken?: string | number } } | undefined)?._meta?.progressToken;
          return token === undefined ? [] : [token];
        }),
      ),
      write: (message) => this.writeEvent(post.res, post.inspector, message),
      end: () => {
        this.posts.delete(stream);
        post.res.end();
      },
    };
    if (stream.pending.size === 0) return;
    this.posts.add(stream);
    post.res.on('close', () => this.posts.delete(stream));
  }

  private writeEvent(res: ServerResponse, inspector: ResponseInspector, message: unknown): void {
    res.write(serializeSseEvent({ event: 'message', data: JSON.stringify(inspector.inspectMessage(message)) }));
  }

  private failPending(message: string): void {
    for (const post of [...this.posts]) {
      for (const key of post.pending) {
        const id = key.startsWith('n:') ? Number(key.slice(2)) : key.slice(2);
        post.write(errorResponse(id, MCPG_UPSTREAM_ERROR, message) satisfies JsonRpcResponse);
      }
      post.pending.clear();
      post.end();
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close('idle_timeout'), this.options.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private kill(): void {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    child.kill('SIGTERM');
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }
}
