import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { NEON_MAX_REQUEST_BYTES, NEON_MAX_RESPONSE_BYTES } from '../../worker/db/neon-limits.ts';

export interface LocalNeonEndpointOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  onLog?: (line: string) => void;
}

export interface EndpointStats {
  /** `POST /sql` requests, batches included. */
  httpRequests: number;
  /** `POST /sql` requests that carried `queries` (non-interactive transactions). */
  batches: number;
  /** Queries sent to Postgres over HTTP, failed ones included; WebSocket bytes are relayed, not parsed. */
  queries: number;
  /** WebSocket sessions relayed to Postgres. */
  wsSessions: number;
  /** httpRequests + wsSessions: what a request costs in trips to Neon. */
  roundTrips: number;
  /** The largest `POST /sql` body, in bytes: what a batch's one HTTP request weighs. */
  largestRequestBytes: number;
  /** The largest `POST /sql` answer sent, in bytes of JSON. */
  largestResponseBytes: number;
  /** Requests refused for a body over `NEON_MAX_REQUEST_BYTES` (413), as Neon refuses them. */
  tooLargeRequests: number;
  /** Requests failed for rows over `NEON_MAX_RESPONSE_BYTES` (507), as Neon fails them. */
  tooLargeResponses: number;
  /**
   * The last `POST /sql` requests, oldest first, each as its statements' first words and, where one sets the
   * tenant (`set_config('app.tenant_id', …)`), `[tenant <id>]`: says whose a trip was.
   */
  recentRequests: string[];
}

/** Faults a test injects (`POST /_faults`, or `setFaults`); all off by default and after a reset. */
export interface EndpointFaults {
  /**
   * Added to every `POST /sql` round trip: before a lone query, and inside a batch's transaction
   * just before its COMMIT (locks held, as a slow database would), so a client that gives up
   * meanwhile leaves a transaction that still commits.
   */
  delayMs: number;
  /** Delay batches only: lone queries (the worker's credential lookup) answer at once. */
  batchesOnly: boolean;
}

const NO_FAULTS: EndpointFaults = { delayMs: 0, batchesOnly: false };

export interface LocalNeonEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:24480`; pass it to `useLocalNeonEndpoint`. */
  readonly url: string;
  readonly port: number;
  stats(): EndpointStats;
  resetStats(): void;
  /** Replaces the injected faults (missing fields: off). */
  setFaults(faults: Partial<EndpointFaults>): void;
  /** Ends the pools, relayed sockets and the server. */
  close(): Promise<void>;
}

interface SqlQuery {
  query: string;
  params: (string | null)[];
}

interface Relay {
  ws: WebSocket;
  tcp: net.Socket;
  grace?: NodeJS.Timeout;
}

type FieldJson = Pick<pg.FieldDef, 'name' | 'tableID' | 'columnID' | 'dataTypeID' | 'dataTypeSize' | 'dataTypeModifier' | 'format'>;

/** An answer that is not a Postgres error: bad request, refused host, unreachable database. */
class EndpointError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

// Neon's request and response limits, and where they come from: defined once, beside the worker's guard.
export { NEON_MAX_REQUEST_BYTES, NEON_MAX_RESPONSE_BYTES };
/** How long the relay lets the driver close the WebSocket itself after Postgres closed TCP. */
const CLOSE_GRACE_MS = 1000;

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

/** The fields `NeonDbError` copies from a 400 answer (the driver's `errorFields`). */
const ERROR_FIELDS = [
  'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table',
  'column', 'dataType', 'constraint', 'file', 'line', 'routine', 'severity',
] as const;

// The driver parses every value itself by dataTypeID, so pg must hand over Postgres' text untouched.
const identity = (value: string) => value;
const rawText = { getTypeParser: () => identity } as unknown as pg.CustomTypesConfig;

// pg supports queryMode at runtime; @types/pg does not declare it. Extended protocol makes
// Postgres refuse multi-statement strings (42601) as Neon does.
type ExtendedQueryConfig = pg.QueryArrayConfig<(string | null)[]> & { queryMode: 'extended' };

/**
 * Starts a stand-in for Neon in front of a local PostgreSQL, on 127.0.0.1: SQL over HTTP (`POST /sql`,
 * for `neon()` and drizzle `neon-http`) and Postgres over WebSocket (`/v1?address=HOST:PORT`, for
 * `Pool`/`Client`). Only loopback databases are reachable through it.
 */
export async function startLocalNeonEndpoint(options: LocalNeonEndpointOptions = {}): Promise<LocalNeonEndpoint> {
  const { port: requestedPort = 0, onLog = () => {} } = options;
  const zero = { httpRequests: 0, batches: 0, queries: 0, wsSessions: 0, largestRequestBytes: 0, largestResponseBytes: 0, tooLargeRequests: 0, tooLargeResponses: 0 };
  const counters = { ...zero };
  const pools = new Map<string, pg.Pool>();
  const relays = new Set<Relay>();
  let faults = NO_FAULTS;
  const setFaults = (next: Partial<EndpointFaults>) => void (faults = { ...NO_FAULTS, ...next });
  const delay = (batch: boolean) =>
    faults.delayMs > 0 && (batch || !faults.batchesOnly) ? new Promise((resolve) => setTimeout(resolve, faults.delayMs)) : undefined;

  const recentRequests: string[] = [];
  const remember = (queries: readonly SqlQuery[]) => {
    const tenant = queries.find(({ query }) => query.includes("set_config('app.tenant_id'"))?.params[0];
    recentRequests.push(queries.map(({ query }) => query.replace(/\s+/g, ' ').slice(0, 60)).join(' | ') + (typeof tenant === 'string' ? ` [tenant ${tenant}]` : ''));
    if (recentRequests.length > 10) recentRequests.shift();
  };
  const stats = (): EndpointStats => ({ ...counters, roundTrips: counters.httpRequests + counters.wsSessions, recentRequests: [...recentRequests] });
  const resetStats = () => {
    Object.assign(counters, zero);
    recentRequests.length = 0;
  };

  function poolFor(header: string | string[] | undefined): pg.Pool {
    const connectionString = typeof header === 'string' ? header : undefined;
    if (!connectionString) throw new EndpointError(400, 'missing Neon-Connection-String header');
    let pool = pools.get(connectionString);
    if (!pool) {
      pool = new pg.Pool({ connectionString: localConnectionString(connectionString), max: 20, types: rawText });
      // A backend dying must not crash the process: the pool reports idle clients, the running
      // query reports a checked-out one, and without a listener a client's 'error' would throw.
      pool.on('error', (error) => onLog(`neon endpoint: idle Postgres connection failed: ${describe(error)}`));
      pool.on('connect', (client) => client.on('error', () => {}));
      pools.set(connectionString, pool);
    }
    return pool;
  }

  /** One round trip to the database: a lone query, or a transaction (`begin`) around several. */
  async function run(pool: pg.Pool, queries: SqlQuery[], arrayMode: boolean, begin?: string) {
    const client = await pool.connect().catch((error: unknown) => {
      // Bad password or unknown database are SQLSTATE errors; anything else means no database.
      if (error instanceof pg.DatabaseError) throw error;
      throw new EndpointError(400, `could not connect to Postgres: ${describe(error)}`, '08001');
    });
    let broken = false;
    try {
      if (begin) await client.query(begin);
      else await delay(false);
      const results = [];
      let rowBytes = 0;
      for (const { query, params } of queries) {
        counters.queries++;
        const config: ExtendedQueryConfig = { text: query, values: params, rowMode: 'array', queryMode: 'extended' };
        const result = await client.query(config);
        rowBytes += dataRowBytes(result.rows);
        if (rowBytes > NEON_MAX_RESPONSE_BYTES) {
          counters.tooLargeResponses++;
          throw new EndpointError(507, `response is too large (max is ${NEON_MAX_RESPONSE_BYTES} bytes)`, '');
        }
        results.push(toNeonResult(result, arrayMode));
      }
      if (begin) {
        await delay(true);
        await client.query('COMMIT');
      }
      return results;
    } catch (error) {
      broken = !(error instanceof pg.DatabaseError || error instanceof EndpointError);
      if (begin && !broken) await client.query('ROLLBACK').catch(() => (broken = true));
      if (broken) throw new EndpointError(400, `lost the connection to Postgres: ${describe(error)}`, '08006');
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async function handleSql(req: http.IncomingMessage): Promise<[number, unknown]> {
    counters.httpRequests++;
    try {
      const text = await readBody(req, NEON_MAX_REQUEST_BYTES).catch((error: unknown) => {
        if (error instanceof EndpointError && error.status === 413) counters.tooLargeRequests++;
        throw error;
      });
      counters.largestRequestBytes = Math.max(counters.largestRequestBytes, Buffer.byteLength(text));
      const body = parseBody(text);
      const pool = poolFor(req.headers['neon-connection-string']);
      const arrayMode = req.headers['neon-array-mode'] === 'true';
      remember(Array.isArray(body) ? body : [body]);
      if (Array.isArray(body)) {
        counters.batches++;
        return [200, { results: await run(pool, body, arrayMode, beginStatement(req.headers)) }];
      }
      return [200, (await run(pool, [body], arrayMode))[0]];
    } catch (error) {
      if (error instanceof pg.DatabaseError) return [400, databaseErrorJson(error)];
      if (error instanceof EndpointError) return [error.status, { message: error.message, code: error.code }];
      onLog(`neon endpoint: ${describe(error)}`);
      return [500, { message: describe(error) }];
    }
  }

  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${pathname}`;
    if (route === 'GET /_stats') return sendJson(res, 200, stats());
    if (route === 'POST /_stats/reset') {
      resetStats();
      return void res.writeHead(204).end();
    }
    if (route === 'GET /_faults') return sendJson(res, 200, faults);
    if (route === 'POST /_faults') {
      // The server listens on 127.0.0.1 only, so only local tests can reach this.
      readBody(req)
        .then((text) => {
          const body: unknown = JSON.parse(text || '{}');
          if (!isRecord(body)) throw new Error('expected a JSON object');
          const { delayMs = 0, batchesOnly = false } = body;
          if (typeof delayMs !== 'number' || !(delayMs >= 0 && delayMs <= 600_000) || typeof batchesOnly !== 'boolean') {
            throw new Error('expected {"delayMs": 0-600000, "batchesOnly": boolean}');
          }
          setFaults({ delayMs, batchesOnly });
          sendJson(res, 200, faults);
        })
        .catch((error: unknown) => sendJson(res, 400, { message: describe(error) }));
      return;
    }
    if (route !== 'POST /sql') return sendJson(res, 404, { message: `no route for ${route}` });
    handleSql(req)
      .then(([status, body]) => {
      const bytes = sendJson(res, status, body);
      if (status === 200) counters.largestResponseBytes = Math.max(counters.largestResponseBytes, bytes);
    })
      .catch((error: unknown) => onLog(`neon endpoint: could not answer: ${describe(error)}`));
  });

  const wss = new WebSocketServer({ noServer: true });
  // Node closes an idle kept-alive connection after 5 s; a worker that computes longer between two
  // round trips of one request (planning the disclosure rule at a large tenant) then reuses a closed
  // connection and loses its request ('Network connection lost'). Idle connections are kept longer,
  // as a proxy in front of a database would.
  server.keepAliveTimeout = 120_000;
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1') return rejectUpgrade(socket, 404, `no WebSocket route ${url.pathname}`);
    const target = parseAddress(url.searchParams.get('address'));
    if (typeof target === 'string') return rejectUpgrade(socket, 400, target);
    wss.handleUpgrade(req, socket, head, (ws) => relay(ws, target));
  });

  function relay(ws: WebSocket, target: { host: string; port: number }) {
    counters.wsSessions++;
    const tcp = net.connect(target);
    tcp.setNoDelay(true);
    const session: Relay = { ws, tcp };
    relays.add(session);
    // net buffers writes made before the connection is up, so the driver may pipeline its startup.
    ws.on('message', (data) => tcp.write(toBuffer(data)));
    tcp.on('data', (chunk) => ws.send(chunk));
    tcp.on('error', (error) => onLog(`neon endpoint: relay to ${target.host}:${target.port}: ${describe(error)}`));
    tcp.on('close', (hadError) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      // Postgres closes TCP right after the driver's Terminate; closing the WebSocket at once races
      // the driver's own close and workerd logs "Network connection lost". Let the client go first.
      if (hadError) ws.close(1011, 'Postgres connection failed');
      else session.grace = setTimeout(() => ws.close(1000), CLOSE_GRACE_MS);
    });
    ws.on('error', (error) => onLog(`neon endpoint: WebSocket: ${describe(error)}`));
    ws.on('close', () => {
      clearTimeout(session.grace);
      tcp.end();
      relays.delete(session);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(requestedPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const { ws, tcp, grace } of relays) {
        clearTimeout(grace);
        ws.terminate();
        tcp.destroy();
      }
      relays.clear();
      wss.close();
      await Promise.all([stopped, ...[...pools.values()].map((pool) => pool.end())]);
      pools.clear();
    })());

  return { url: `http://127.0.0.1:${port}`, port, stats, resetStats, setFaults, close };
}

function toNeonResult(result: pg.QueryArrayResult<(string | null)[]>, arrayMode: boolean) {
  const fields: FieldJson[] = result.fields.map((f) => ({
    name: f.name,
    tableID: f.tableID,
    columnID: f.columnID,
    dataTypeID: f.dataTypeID,
    dataTypeSize: f.dataTypeSize,
    dataTypeModifier: f.dataTypeModifier,
    format: f.format,
  }));
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(fields.map((field, i) => [field.name, row[i] ?? null])));
  return { command: result.command, rowCount: result.rowCount, rows, fields, rowAsArray: arrayMode };
}

function databaseErrorJson(error: pg.DatabaseError): Record<string, unknown> {
  const json: Record<string, unknown> = { message: error.message };
  for (const field of ERROR_FIELDS) if (error[field] !== undefined) json[field] = error[field];
  return json;
}

/** A lone query, or the array of a batch's queries. */
function parseBody(text: string): SqlQuery | SqlQuery[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EndpointError(400, 'request body is not valid JSON');
  }
  if (isRecord(body) && Array.isArray(body.queries)) return body.queries.map(parseQuery);
  return parseQuery(body);
}

function parseQuery(value: unknown): SqlQuery {
  const params = isRecord(value) ? (value.params ?? []) : undefined;
  if (
    !isRecord(value) ||
    typeof value.query !== 'string' ||
    !Array.isArray(params) ||
    !params.every((param) => param === null || typeof param === 'string')
  ) {
    throw new EndpointError(400, 'expected {"query": string, "params": (string|null)[]} or {"queries": [...]}');
  }
  return { query: value.query, params };
}

function beginStatement(headers: http.IncomingHttpHeaders): string {
  const level = headers['neon-batch-isolation-level'];
  let sql = 'BEGIN';
  if (typeof level === 'string') {
    const isolation = ISOLATION_LEVELS[level];
    if (!isolation) throw new EndpointError(400, `unknown Neon-Batch-Isolation-Level: ${level}`);
    sql += ` ISOLATION LEVEL ${isolation}`;
  }
  if (headers['neon-batch-read-only'] === 'true') sql += ' READ ONLY';
  if (headers['neon-batch-deferrable'] === 'true') sql += ' DEFERRABLE';
  return sql;
}

/** The connection string pg should use: loopback only, and no TLS, which Neon's proxy would terminate. */
function localConnectionString(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new EndpointError(400, 'Neon-Connection-String is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new EndpointError(400, 'Neon-Connection-String must be a postgres:// or postgresql:// URL');
  }
  const hosts = [url.hostname, ...url.searchParams.getAll('host')];
  const remote = hosts.find((host) => !isLoopback(host));
  if (remote !== undefined) {
    throw new EndpointError(400, `the local Neon endpoint only reaches loopback databases, not "${remote}"`);
  }
  for (const param of ['ssl', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'channel_binding']) url.searchParams.delete(param);
  return url.href;
}

/** `HOST:PORT` of a loopback Postgres, or why not. */
function parseAddress(address: string | null): { host: string; port: number } | string {
  const colon = address?.lastIndexOf(':') ?? -1;
  if (!address || colon < 1) return 'expected ?address=HOST:PORT';
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `invalid port in ${address}`;
  if (!isLoopback(host)) return `the local Neon endpoint only relays to loopback addresses, not "${host}"`;
  return { host, port };
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (net.isIPv4(bare) && bare.startsWith('127.'));
}

/** The body, or a 413 in Neon's words once it passes `limit`; the rest is still read, so the client sees the answer, not a reset. */
async function readBody(req: http.IncomingMessage, limit = NEON_MAX_REQUEST_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new EndpointError(413, `request is too large (max is ${limit} bytes)`, '');
  return Buffer.concat(chunks).toString('utf8');
}

/** What Neon counts against its response limit: each DataRow's body (a 2-byte column count, then a 4-byte length and the bytes of each value). */
function dataRowBytes(rows: (string | null)[][]): number {
  let bytes = 0;
  for (const row of rows) {
    bytes += 2;
    for (const value of row) bytes += 4 + (value === null ? 0 : Buffer.byteLength(value));
  }
  return bytes;
}

/** Sends `body` as JSON; returns its size in bytes. */
function sendJson(res: http.ServerResponse, status: number, body: unknown): number {
  const text = JSON.stringify(body);
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes }).end(text);
  return bytes;
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Node's connection errors can be AggregateErrors with an empty message (IPv4 and IPv6 both tried). */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return error.errors.map(describe).join('; ');
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}
