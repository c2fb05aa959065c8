/**
 * Webhook delivery bench (issue 16): deliveries through the Queue, end to end, against a local
 * receiver, in one run:
 *
 *   queue     N due deliveries (spread over T tenants, one endpoint each) in the outbox; one cron run
 *             dispatches them onto the Queue and the worker's consumer delivers them, signed, in
 *             batches: deliveries per minute until the receiver has them all (target ≥ 1,000/min),
 *             each exactly once
 *   baseline  the same number of POSTs sent straight from Node to the same receiver, 6 at a time
 *             (Workers' simultaneous connections per invocation): what the receiver and loopback
 *             allow, so the queue's figure reads against this machine, not an absolute
 *
 * CLI: `npm run bench:webhooks [-- --json]`; `WEBHOOK_BENCH_DELIVERIES` (default 3,000) and
 * `WEBHOOK_BENCH_TENANTS` (default 30) size it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { startIsolatedStack } from '../scripts/lib/isolated-stack.ts';
import { type Bench, type Ratio, runAsScript, type TableRow } from './common.ts';

const DELIVERIES = Number(process.env.WEBHOOK_BENCH_DELIVERIES ?? 3000);
const TENANTS = Number(process.env.WEBHOOK_BENCH_TENANTS ?? 30);
const BASELINE_CONCURRENCY = 6;
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const TARGET_PER_MINUTE = 1000;

export interface WebhooksBenchResult {
  bench: 'webhooks';
  tenants: number;
  deliveries: number;
  /** Seconds from the cron's dispatch until the receiver had every delivery. */
  queueSeconds: number;
  queuePerMinute: number;
  /** Receipt times after the dispatch, in ms: median and 99th percentile. */
  p50Ms: number;
  p99Ms: number;
  /** Requests the receiver got beyond one per event (must be 0). */
  duplicates: number;
  /** Deliveries not `succeeded` in the outbox after the drain (must be 0). */
  notSucceeded: number;
  baselinePerMinute: number;
  largestDbRequestBytes: number;
  largestDbResponseBytes: number;
}

function receiver() {
  const seen = new Map<string, number>();
  const times: number[] = [];
  let started = 0;
  const server = http.createServer((request, response) => {
    request.resume().on('end', () => {
      const id = String(request.headers['webhook-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      times.push(Date.now() - started);
      response.writeHead(204).end();
    });
  });
  return {
    server,
    seen,
    times,
    start: () => {
      seen.clear();
      times.length = 0;
      started = Date.now();
    },
    received: () => times.length,
  };
}

async function baseline(url: string, count: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: BASELINE_CONCURRENCY });
  const body = JSON.stringify({ type: 'api_key.revoked', timestamp: new Date().toISOString(), data: { bench: true } });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BASELINE_CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        await new Promise<void>((resolve, reject) => {
          const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'webhook-id': `baseline-${i}` } }, (response) => {
            response.resume().on('end', () => resolve());
          });
          request.on('error', reject);
          request.end(body);
        });
      }
    }),
  );
  agent.destroy();
  return (count / (performance.now() - started)) * 60_000;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export const webhooksBench: Bench<WebhooksBenchResult> = {
  async run() {
    const stack = await startIsolatedStack();
    const hook = receiver();
    await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hook`;
    const owner = new pg.Pool({ connectionString: stack.stack.ownerDatabaseUrl, max: 2 });
    try {
      const api = (path: string, key: string, body: unknown) =>
        fetch(`${stack.worker.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const perTenant = Math.ceil(DELIVERIES / TENANTS);
      for (let t = 0; t < TENANTS; t++) {
        const tenantResponse = await api('/v1/tenants', stack.operatorToken, { name: `Webhook bench ${t}`, industry: 'insurance', sizeBand: '250-999', region: 'ES' });
        const { tenant, apiKey } = (await tenantResponse.json()) as { tenant: { id: string }; apiKey: { secret: string } };
        const endpointResponse = await api('/v1/webhook-endpoints', apiKey.secret, { url: hookUrl, eventTypes: ['api_key.revoked'] });
        if (endpointResponse.status !== 201) throw new Error(`endpoint: ${endpointResponse.status} ${await endpointResponse.text()}`);
        const { id: endpointId } = (await endpointResponse.json()) as { id: string };
        const count = Math.min(perTenant, DELIVERIES - t * perTenant);
        // The outbox as writes would leave it: events, each with a delivery due now.
        await owner.query(
          `with events as (
             insert into webhook_events (id, tenant_id, type, data)
             select gen_random_uuid(), $1, 'api_key.revoked', jsonb_build_object('bench', n) from generate_series(1, $2::int) as n
             returning id, tenant_id)
           insert into webhook_deliveries (tenant_id, event_id, endpoint_id, next_attempt_at) select tenant_id, id, $3, now() from events`,
          [tenant.id, count, endpointId],
        );
      }

      stack.stack.endpoint.resetStats();
      hook.start();
      const cron = await fetch(`${stack.worker.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}&time=${Date.now()}`);
      if (cron.status !== 200) throw new Error(`cron: ${cron.status}`);
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (hook.seen.size < DELIVERIES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const queueSeconds = Math.max(...hook.times) / 1000;
      // A moment for late duplicates, if any, to show.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const { largestRequestBytes, largestResponseBytes } = stack.stack.endpoint.stats();
      const duplicates = hook.received() - hook.seen.size;
      const sorted = [...hook.times].sort((a, b) => a - b);
      const { rows } = await owner.query<{ n: number }>(`select count(*)::int as n from webhook_deliveries where status <> 'succeeded'`);

      hook.start();
      const baselinePerMinute = await baseline(hookUrl, DELIVERIES);
      return {
        bench: 'webhooks',
        tenants: TENANTS,
        deliveries: DELIVERIES,
        queueSeconds,
        queuePerMinute: hook.seen.size < DELIVERIES ? Number.NaN : (DELIVERIES / queueSeconds) * 60,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        duplicates,
        notSucceeded: rows[0]!.n,
        baselinePerMinute,
        largestDbRequestBytes: largestRequestBytes,
        largestDbResponseBytes: largestResponseBytes,
      };
    } finally {
      await owner.end();
      await new Promise<void>((resolve) => hook.server.close(() => resolve()));
      await stack.stop();
    }
  },
  rows(r): TableRow[] {
    const row = (name: string, perMinute: number, p50: number, p99: number): TableRow => ({
      bench: 'webhooks', case: name, 'req/s': perMinute / 60, 'p50 ms': p50, 'p99 ms': p99, 'non-2xx': 0, errors: r.duplicates + r.notSucceeded, 'DB trips/req': Number.NaN,
    });
    return [row(`queue (${r.deliveries} deliveries, ${r.tenants} tenants)`, r.queuePerMinute, r.p50Ms, r.p99Ms), row('baseline (Node → receiver, 6 at a time)', r.baselinePerMinute, Number.NaN, Number.NaN)];
  },
  notes(r) {
    return [
      `webhooks: ${r.deliveries} deliveries drained in ${r.queueSeconds.toFixed(1)} s: ${Math.round(r.queuePerMinute).toLocaleString('en-US')}/min ` +
        `(baseline ${Math.round(r.baselinePerMinute).toLocaleString('en-US')}/min), duplicates ${r.duplicates}, not succeeded ${r.notSucceeded}, ` +
        `largest DB request ${(r.largestDbRequestBytes / 1024).toFixed(0)} KiB, largest DB response ${(r.largestDbResponseBytes / 1024).toFixed(0)} KiB`,
    ];
  },
  ratios(r): Ratio[] {
    return [
      { bench: 'webhooks', name: `deliveries per minute / ${TARGET_PER_MINUTE}`, value: r.queuePerMinute / TARGET_PER_MINUTE, target: { atLeast: 1 } },
      { bench: 'webhooks', name: 'queue rate / baseline rate', value: r.queuePerMinute / r.baselinePerMinute },
      { bench: 'webhooks', name: 'duplicate or unfinished deliveries', value: r.duplicates + r.notSucceeded, target: { atMost: 0 } },
    ];
  },
};

runAsScript(import.meta.url, webhooksBench);
