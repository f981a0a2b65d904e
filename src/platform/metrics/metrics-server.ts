import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

export interface MetricsServer {
  /** http://host:port, the address Prometheus scrapes (`/metrics`). */
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** The exposition text of one scrape. */
  gather(): Promise<string>;
}

/**
 * The metrics listener (ADR 0089): GET /metrics and nothing else, on its own address (VEZA_METRICS_HOST and
 * VEZA_METRICS_PORT), so that the API's port never serves it and the network decides who may scrape.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: scrape /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    options.gather().then(
      (text) => {
        response.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        // Prometheus records the failed scrape (up == 0); the reason is for whoever curls the address.
        response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot serve metrics on ${options.host}:${options.port} (${error.code ?? error.message}): ` +
            'set VEZA_METRICS_PORT to a free port, or VEZA_METRICS_HOST to an address of this machine',
          { cause: error },
        ),
      );
    server.once('error', refuse);
    server.listen(options.port, options.host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's kept-alive connection would hold close() for minutes.
        server.closeAllConnections();
      })),
  };
}
