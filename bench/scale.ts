/**
 * Scale bench (issue 16): the benchmark Workflow at N tenants on an isolated stack.
 *
 *   data     N opted-in tenants (`SCALE_TENANTS`, default 10,000), one unit each and 30 external
 *            ratings each in the last month of the last complete quarter (so ranked in both the
 *            month and the quarter), with their rollups: written straight into Postgres by set-based
 *            INSERT … SELECT as the tables' owner, not through the API. A share of them
 *            (`SCALE_WEBHOOK_SHARE`, default 0.02) is created through the API instead, with a
 *            webhook endpoint on a local receiver subscribed to `benchmark.snapshot.published`.
 *   runs     first at N / 10 tenants, then grown to N: each time the Workflow runs through
 *            `POST /v1/admin/jobs/benchmarks` (polled to its end), then the cron's delivery job is
 *            fired until no delivery is pending.
 *   sizes    every request the worker sends to the local Neon endpoint goes through a counting proxy:
 *            the largest request and response body, per run.
 *   pruning  then every webhook event is made 31 days old and the daily cron fired: the events past
 *            their 30 days before and after its prune (`outboxOldRowsBeforePrune`, `…AfterPrune`).
 *
 * Prints a table, then `scale: {json}` as its last line. CLI: `npm run bench:scale`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { EXTERNAL_ROLLUP } from '../worker/db/rollups.ts';
import { startIsolatedStack } from '../scripts/lib/isolated-stack.ts';
import { fail, runBenchmarkWorkflow } from './common.ts';

const TENANTS = Number(process.env.SCALE_TENANTS ?? 10_000);
const WEBHOOK_SHARE = Number(process.env.SCALE_WEBHOOK_SHARE ?? 0.02);
const RATINGS_PER_TENANT = 30;
const REGIONS = ['ES', 'PT', 'FR', 'DE', 'IT', 'NL', 'BE', 'AT', 'IE', 'PL', 'SE', 'DK', 'FI', 'CZ', 'GR', 'HU', 'RO', 'MX', 'AR', 'CL'];
const DELIVERY_CRON = '* * * * *';
/** The daily cron (wrangler.toml): it also prunes webhook events past their 30 days. */
const DAILY_CRON = '15 2 * * *';
/** Gives up on delivery after this long: a bench that cannot drain reports what it got. */
const DRAIN_TIMEOUT_MS = 30 * 60 * 1000;

interface RunFigures {
  tenants: number;
  participants: number;
  status: string;
  jobWallSeconds: number;
  msPerParticipant: number;
  steps: number;
  largestDbRequestBytes: number;
  largestDbResponseBytes: number;
  webhookEvents: number;
  webhookDeliveries: number;
  receivedEvents: number;
  deliverySeconds: number;
}

/** A proxy in front of the local Neon endpoint that records the largest request and response bodies. */
async function countingProxy() {
  const sizes = { request: 0, response: 0 };
  let target = '';
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', async () => {
      try {
        const request = Buffer.concat(body);
        sizes.request = Math.max(sizes.request, request.byteLength);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as [string, string][],
        );
        const answer = await fetch(`${target}${req.url}`, { method: req.method!, headers, ...(request.byteLength ? { body: request } : {}) });
        const response = Buffer.from(await answer.arrayBuffer());
        sizes.response = Math.max(sizes.response, response.byteLength);
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(response);
      } catch (error) {
        res.writeHead(502).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setTarget: (url: string) => (target = url),
    /** The largest sizes since the last call. */
    take() {
      const taken = { ...sizes };
      Object.assign(sizes, { request: 0, response: 0 });
      return taken;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The webhook receiver: answers 200 and counts distinct `webhook-id`s. */
async function receiver() {
  const ids = new Set<string>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') ids.add(id);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, ids, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Opted-in tenants up to `total`, each with a unit, its ratings and their rollups, in a few set-based statements. */
async function growTo(owner: pg.Pool, total: number, ratingsDay: string): Promise<void> {
  const { rows } = await owner.query<{ n: number }>('select count(*)::int as n from tenants');
  await owner.query(
    `insert into tenants (id, name, industry, size_band, region, benchmark_opt_in)
     select gen_random_uuid(), 'Scale ' || g,
       (enum_range(null::industry))[1 + g % cardinality(enum_range(null::industry))],
       (enum_range(null::size_band))[1 + (g / 7) % cardinality(enum_range(null::size_band))],
       ($3::text[])[1 + (g / 3) % cardinality($3::text[])], true
     from generate_series($1::int, $2::int - 1) as g`,
    [rows[0]!.n, total, REGIONS],
  );
  await owner.query(
    `insert into units (id, tenant_id, name, kind)
     select gen_random_uuid(), t.id, 'Front desk', 'touchpoint' from tenants t where not exists (select from units u where u.tenant_id = t.id)`,
  );
  await owner.query(
    `insert into external_ratings (id, tenant_id, unit_id, occurred_at, quality, overall, recommend, customer_kind, channel)
     select gen_random_uuid(), u.tenant_id, u.id, $1::timestamptz + k * interval '1 minute',
       1 + abs(hashtext(u.id::text || k)) % 5, 1 + abs(hashtext(k || u.id::text)) % 5, abs(hashtext(u.id::text || -k)) % 11,
       'occasional', 'in-person'
     from units u cross join generate_series(1, $2::int) as k
     where not exists (select from external_ratings r where r.unit_id = u.id)`,
    [ratingsDay, RATINGS_PER_TENANT],
  );
  const { keys, aggregates } = EXTERNAL_ROLLUP;
  await owner.query(
    `insert into external_rollups (tenant_id, unit_id, day, customer_kind, ${Object.keys(aggregates).map(snake).join(', ')})
     select r.tenant_id, ${keys.unitId}, ${keys.day}, ${keys.customerKind}, ${Object.values(aggregates).join(', ')}
     from external_ratings r where not exists (select from external_rollups x where x.tenant_id = r.tenant_id and x.unit_id = r.unit_id)
     group by 1, 2, 3, 4`,
  );
  await owner.query('analyze');
}

async function request(url: string, bearer: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status !== 200 && response.status !== 201) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function main() {
  const receiverServer = await receiver();
  const proxy = await countingProxy();
  const isolated = await startIsolatedStack({ vars: { LOCAL_NEON_ENDPOINT: proxy.url } });
  proxy.setTarget(isolated.stack.endpoint.url);
  const owner = new pg.Pool({ connectionString: isolated.stack.ownerDatabaseUrl, max: 2 });
  const base = isolated.worker.url;
  const operator = isolated.operatorToken;
  try {
    // The last complete quarter ends where this one starts; its last month is the last complete month.
    const today = new Date();
    const at = new Date(Date.UTC(today.getUTCFullYear(), Math.floor(today.getUTCMonth() / 3) * 3, 1));
    const ratingsDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 10, 9)).toISOString();
    const figures: RunFigures[] = [];
    let subscribed = 0;
    for (const size of [Math.round(TENANTS / 10), TENANTS]) {
      const loadStarted = performance.now();
      // The subscribed share goes through the API: a webhook endpoint needs its secret sealed by the worker.
      for (; subscribed < Math.round(size * WEBHOOK_SHARE); subscribed++) {
        const created = await request(`${base}/v1/tenants`, operator, {
          name: `Scale subscriber ${subscribed}`,
          industry: 'retail',
          sizeBand: '50-249',
          region: REGIONS[subscribed % REGIONS.length],
          benchmarkOptIn: true,
        });
        const key = (created.apiKey as { secret: string }).secret;
        await request(`${base}/v1/webhook-endpoints`, key, { url: receiverServer.url, eventTypes: ['benchmark.snapshot.published'] });
      }
      await growTo(owner, size, ratingsDay);
      console.error(`scale: ${size} tenants loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s; running the Workflow…`);

      proxy.take();
      const receivedBefore = receiverServer.ids.size;
      const { run, milliseconds } = await runBenchmarkWorkflow(base, operator, { at: at.toISOString() }, 250);
      const sizes = proxy.take();
      const summary = run.summary as { participants?: number; periods?: { snapshotId: string }[] };
      const progress = run.progress as { stepsDone: number };
      if (run.status !== 'succeeded') throw new Error(`the run at ${size} tenants ${String(run.status)}: ${String(run.error)}`);
      const snapshotIds = (summary.periods ?? []).map((period) => period.snapshotId);
      // Where the time went: each step's done_at minus the previous one's, summed by kind (`compute`, `stage`…).
      const { rows: stepTimes } = await owner.query<{ kind: string; seconds: number; steps: number }>(
        `select split_part(step, ' ', 1) as kind, sum(gap)::float8 as seconds, count(*)::int as steps from (
           select step, extract(epoch from done_at - lag(done_at) over (order by done_at)) as gap from job_run_steps where job_run_id = $1) as s
          group by 1 order by 2 desc nulls last`,
        [run.id],
      );
      const { rows: edges } = await owner.query<{ queued: number; finished: number }>(
        `select extract(epoch from min(s.done_at) - r.started_at)::float8 as queued, extract(epoch from r.finished_at - max(s.done_at))::float8 as finished
         from job_runs r join job_run_steps s on s.job_run_id = r.id where r.id = $1 group by r.id`,
        [run.id],
      );
      console.error(`scale: ${edges[0]!.queued.toFixed(1)} s from the POST to the claim, ${edges[0]!.finished.toFixed(1)} s from the last step to the end`);
      console.error(`scale: seconds by step kind: ${stepTimes.map((t) => `${t.kind} ${Number(t.seconds ?? 0).toFixed(1)} (${t.steps})`).join(', ')}`);

      const drainStarted = performance.now();
      const pending = async () =>
        (await owner.query<{ n: number }>(`select count(*)::int as n from webhook_deliveries where status = 'pending'`)).rows[0]!.n;
      while ((await pending()) > 0 && performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
        await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(DELIVERY_CRON)}`);
      }
      const deliverySeconds = (performance.now() - drainStarted) / 1000;
      const { rows: events } = await owner.query<{ events: number; delivered: number }>(
        `select count(distinct e.id)::int as events, count(d.id) filter (where d.status = 'succeeded')::int as delivered
         from webhook_events e left join webhook_deliveries d on d.event_id = e.id
         where e.type = 'benchmark.snapshot.published' and e.data->>'snapshotId' = any($1::text[])`,
        [snapshotIds],
      );
      const participants = summary.participants ?? 0;
      figures.push({
        tenants: size,
        participants,
        status: String(run.status),
        jobWallSeconds: milliseconds / 1000,
        msPerParticipant: milliseconds / participants,
        steps: progress.stepsDone,
        largestDbRequestBytes: sizes.request,
        largestDbResponseBytes: sizes.response,
        webhookEvents: events[0]!.events,
        webhookDeliveries: events[0]!.delivered,
        receivedEvents: receiverServer.ids.size - receivedBefore,
        deliverySeconds,
      });
      console.error(`scale: ${JSON.stringify(figures.at(-1))}`);
    }

    const [small, large] = figures as [RunFigures, RunFigures];
    // Outbox retention at scale: every event of both runs made 31 days old, then the daily cron's prune.
    const old = async () =>
      (await owner.query<{ n: number }>(`select count(*)::int as n from webhook_events where created_at < now() - interval '30 days'`)).rows[0]!.n;
    await owner.query(`update webhook_events set created_at = created_at - interval '31 days'`);
    const outboxOldRowsBeforePrune = await old();
    await fetch(`${base}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(DAILY_CRON)}`);
    const outboxOldRowsAfterPrune = await old();
    console.error(`scale: outbox rows past 30 days: ${outboxOldRowsBeforePrune} before the daily prune, ${outboxOldRowsAfterPrune} after`);
    const header = ['tenants', 'participants', 'steps', 'job s', 'ms/participant', 'largest request', 'largest response', 'events', 'deliveries', 'delivery s'];
    const lines = figures.map((f) => [
      f.tenants.toLocaleString('en-US'),
      f.participants.toLocaleString('en-US'),
      String(f.steps),
      f.jobWallSeconds.toFixed(1),
      f.msPerParticipant.toFixed(2),
      `${(f.largestDbRequestBytes / 1024).toFixed(0)} KiB`,
      `${(f.largestDbResponseBytes / 1024).toFixed(0)} KiB`,
      String(f.webhookEvents),
      String(f.webhookDeliveries),
      f.deliverySeconds.toFixed(1),
    ]);
    const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
    const format = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
    console.log([format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n'));
    const ratio = large.msPerParticipant / small.msPerParticipant;
    console.log(`per-participant wall time at ${large.tenants} vs ${small.tenants} tenants: ${ratio.toFixed(2)} (target ≤ 1.2)`);
    console.log(
      `scale: ${JSON.stringify({
        tenants: large.tenants,
        participants: large.participants,
        jobWallSeconds: Number(large.jobWallSeconds.toFixed(1)),
        largestDbRequestBytes: Math.max(small.largestDbRequestBytes, large.largestDbRequestBytes),
        largestDbResponseBytes: Math.max(small.largestDbResponseBytes, large.largestDbResponseBytes),
        webhookEvents: large.webhookEvents,
        webhookDeliveries: large.webhookDeliveries,
        receivedEvents: large.receivedEvents,
        deliveriesPerMinute: Math.round((large.webhookDeliveries / large.deliverySeconds) * 60),
        outboxOldRowsBeforePrune,
        outboxOldRowsAfterPrune,
        perParticipantRatio: Number(ratio.toFixed(2)),
        small: { tenants: small.tenants, participants: small.participants, jobWallSeconds: Number(small.jobWallSeconds.toFixed(1)) },
      })}`,
    );
  } finally {
    await owner.end();
    await isolated.stop();
    await proxy.close();
    await receiverServer.close();
  }
}

main().catch(fail);
