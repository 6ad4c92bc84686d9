import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TappedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface UpstreamTap {
  /** Point the proxy here instead of at the real server. */
  readonly url: string;
  readonly requests: TappedRequest[];
  /** JSON-RPC method names (and tool names for tools/call) seen going upstream. */
  calledTools(): string[];
  close(): Promise<void>;
}

export interface UpstreamTapOptions {
  /**
   * Makes the tap an authentication gate, as an upstream that needs its own credential: requests
   * without this header and value (name lower case) get 401 and never reach the server. Settable
   * later through `UpstreamTap.requiredHeader`.
   */
  requireHeader?: { name: string; value: string } | null;
}

/**
 * A transparent recorder between the proxy and a real MCP server: it forwards every request
 * byte-for-byte and streams the answer back, keeping a copy of what went upstream, so tests
 * can prove what did (and did not) reach the server.
 */
export async function startUpstreamTap(targetUrl: string, options: UpstreamTapOptions = {}): Promise<UpstreamTap> {
  const target = new URL(targetUrl);
  const requests: TappedRequest[] = [];
  const gate = options.requireHeader ?? null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('utf8') });
      if (gate && req.headers[gate.name] !== gate.value) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ error: 'upstream credential missing or wrong' }));
        return;
      }
      const upstream = httpRequest(
        // The request's own path: legacy SSE servers take POSTs on another path than their stream.
        { host: target.hostname, port: target.port, path: req.url ?? target.pathname, method: req.method, headers: { ...req.headers, host: target.host } },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    requests,
    calledTools() {
      const names: string[] = [];
      for (const r of requests) {
        if (!r.body) continue;
        let json: unknown;
        try {
          json = JSON.parse(r.body);
        } catch {
          continue;
        }
        for (const m of Array.isArray(json) ? json : [json]) {
          const msg = m as { method?: string; params?: { name?: string } };
          if (msg.method === 'tools/call' && msg.params?.name) names.push(msg.params.name);
        }
      }
      return names;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
