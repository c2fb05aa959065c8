import net from 'node:net';
import { NeonDbError, Pool, neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import { TransactionRollbackError, asc, eq } from 'drizzle-orm';
import { drizzle as drizzleHttp } from 'drizzle-orm/neon-http';
import { drizzle as drizzleWs } from 'drizzle-orm/neon-serverless';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import pg from 'pg';
import ws, { WebSocket } from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type LocalNeonEndpoint, startLocalNeonEndpoint } from '../../scripts/lib/neon-endpoint.ts';
import { findFreePort } from '../../scripts/lib/ports.ts';
import { useLocalNeonEndpoint } from '../../worker/db/local-neon.ts';

const DATABASE = 'endpoint_test';

const items = pgTable('items', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
});

let endpoint: LocalNeonEndpoint;
let admin: pg.Client;
let direct: pg.Client;
let databaseUrl: string;
let sql: NeonQueryFunction<false, false>;
const logs: string[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.query(`create database ${DATABASE}`);
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${DATABASE}`;
  databaseUrl = url.href;

  direct = new pg.Client({ connectionString: databaseUrl });
  await direct.connect();
  await direct.query(`
    create type mood as enum ('happy', 'sad');
    create table items (id serial primary key, name text not null unique);
    create table kinds (
      id uuid primary key, t text, vc varchar(20), ch char(2), b boolean, si smallint, i integer,
      bi bigint, n numeric, r real, d double precision, dt date, tstz timestamptz, ts timestamp,
      jb jsonb, js json, texts text[], ints integer[], uuids uuid[], m mood, bytes bytea
    );`);

  endpoint = await startLocalNeonEndpoint({ onLog: (line) => logs.push(line) });
  useLocalNeonEndpoint(neonConfig, endpoint.url);
  neonConfig.webSocketConstructor = ws;
  sql = neon(databaseUrl);
});

afterAll(async () => {
  await endpoint?.close();
  await direct?.end();
  await admin?.query(`drop database if exists ${DATABASE} with (force)`);
  await admin?.end();
});

beforeEach(async () => {
  await direct.query('truncate items restart identity');
});

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** SQLSTATE of a failed query: on `cause` for a drizzle query, on the error for neon() and db.batch. */
async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await rejection(promise);
  return ((error.cause as { code?: string } | undefined) ?? error).code;
}

const itemNames = async () => (await direct.query<{ name: string }>('select name from items order by id')).rows.map((r) => r.name);

async function postSql(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${endpoint.url}/sql`, {
    method: 'POST',
    headers: { 'Neon-Connection-String': databaseUrl, 'Neon-Raw-Text-Output': 'true', 'Neon-Array-Mode': 'true', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('HTTP protocol', () => {
  it('answers with the exact text Postgres sent, as arrays in array mode', async () => {
    const { status, body } = await postSql({
      query: `select 1.10::numeric as n, true as b, '{1,2}'::int[] as a, null::text as z, '\\x00ff'::bytea as y, $1::text as p`,
      params: ['42'],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ command: 'SELECT', rowCount: 1, rowAsArray: true, rows: [['1.10', 't', '{1,2}', null, '\\x00ff', '42']] });
    expect(body.fields).toEqual([
      { name: 'n', tableID: 0, columnID: 0, dataTypeID: 1700, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' },
      expect.objectContaining({ name: 'b', dataTypeID: 16 }),
      expect.objectContaining({ name: 'a', dataTypeID: 1007 }),
      expect.objectContaining({ name: 'z', dataTypeID: 25 }),
      expect.objectContaining({ name: 'y', dataTypeID: 17 }),
      expect.objectContaining({ name: 'p', dataTypeID: 25 }),
    ]);
  });

  it('answers rows as objects when array mode is off', async () => {
    const { body } = await postSql({ query: 'select 1 as a, null as b', params: [] }, { 'Neon-Array-Mode': 'false' });
    expect(body).toMatchObject({ rows: [{ a: '1', b: null }], rowAsArray: false });
  });

  it('answers a batch with one result per query', async () => {
    const { status, body } = await postSql({ queries: [{ query: 'select 1', params: [] }, { query: 'select $1::int + 1', params: ['2'] }] });
    expect(status).toBe(200);
    expect((body.results as { rows: unknown[] }[]).map((r) => r.rows)).toEqual([[['1']], [['3']]]);
  });

  it('refuses a malformed body with a 400 message', async () => {
    for (const body of ['not json', { query: 1 }, { query: 'select $1', params: [1] }, { queries: [{}] }]) {
      const response = await postSql(body);
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.any(String));
    }
  });

  it('refuses an unknown isolation level', async () => {
    const { status } = await postSql({ queries: [] }, { 'Neon-Batch-Isolation-Level': 'Chaos' });
    expect(status).toBe(400);
  });

  it('answers 404 JSON on other paths and methods', async () => {
    for (const [method, path] of [['GET', '/sql'], ['POST', '/elsewhere'], ['GET', '/']] as const) {
      const response = await fetch(`${endpoint.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: expect.any(String) });
    }
  });
});

describe('neon() queries', () => {
  const full = {
    id: '6f1c2b9e-3d4a-4f5b-8c6d-7e8f9a0b1c2d',
    t: 'héllo 👋',
    vc: 'varchar',
    ch: 'ab',
    b: true,
    si: -12,
    i: 123456,
    bi: '9007199254740993',
    n: '12345.678901234567890',
    r: 1.5,
    d: 3.141592653589793,
    dt: new Date(2024, 0, 2),
    tstz: new Date('2024-01-02T03:04:05.678Z'),
    ts: new Date(2024, 0, 2, 3, 4, 5, 678),
    jb: { nested: { list: [1, 'two', null, { deep: true }] }, unicode: 'ü 日本 😀', quote: 'a"b\\c' },
    js: { b: 1, a: [true, false] },
    texts: ['a', 'b,c', 'd"e', null, ''],
    ints: [1, -2, 3],
    uuids: ['00000000-0000-0000-0000-000000000001', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    m: 'sad',
    bytes: Buffer.from([0, 1, 2, 254, 255]),
  };
  const columns = Object.keys(full);
  const empty = { ...Object.fromEntries(columns.map((c) => [c, null])), id: '6f1c2b9e-3d4a-4f5b-8c6d-000000000000' };

  beforeAll(async () => {
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    const values = Object.values(full).map((v) => (v === full.dt ? '2024-01-02' : v === full.ts ? '2024-01-02 03:04:05.678' : v));
    await sql.query(`insert into kinds (${columns.join(', ')}) values (${placeholders})`, values);
    await sql`insert into kinds (id) values (${empty.id})`;
  });

  it('round-trips every common column type through the driver’s parsing', async () => {
    const [row] = await sql`select * from kinds where id = ${full.id}`;
    expect(row).toEqual(full);
    expect(Buffer.isBuffer(row?.bytes)).toBe(true);
  });

  it('round-trips nulls of every type', async () => {
    expect(await sql.query('select * from kinds where id = $1', [empty.id])).toEqual([empty]);
  });

  it('returns arrays in array mode and full results on request', async () => {
    const result = await sql.query('select i, jb from kinds where id = $1', [full.id], { arrayMode: true, fullResults: true });
    expect(result.rows).toEqual([[full.i, full.jb]]);
    expect(result).toMatchObject({ command: 'SELECT', rowCount: 1 });
    expect(result.fields.map((f) => f.name)).toEqual(['i', 'jb']);
  });

  it('sends jsonb parameters with nested objects, arrays and unicode intact', async () => {
    const value = { a: [1, [2, { b: 'ü😀' }]], c: null, 'key with spaces': { 'ß': 'tab\t' } };
    const [row] = await sql`select ${value}::jsonb as j, ${JSON.stringify(value)}::jsonb = ${value}::jsonb as same`;
    expect(row).toEqual({ j: value, same: true });
  });

  it('reports the command and row count of writes', async () => {
    const result = await sql.query("insert into items (name) values ('a'), ('b')", [], { fullResults: true });
    expect(result).toMatchObject({ command: 'INSERT', rowCount: 2, rows: [] });
  });

  it('refuses a multi-statement string with 42601, as Neon does', async () => {
    expect(await sqlState(sql.query("insert into items (name) values ('x'); select 1"))).toBe('42601');
    expect(await itemNames()).toEqual([]);
  });

  it('surfaces a unique violation as a NeonDbError with code 23505', async () => {
    await sql`insert into items (name) values ('dup')`;
    const error = await rejection(sql`insert into items (name) values ('dup')`);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error).toMatchObject({ code: '23505', constraint: 'items_name_key', table: 'items', severity: 'ERROR' });
    expect(error).toMatchObject({ detail: expect.stringContaining('(name)=(dup)') });
  });
});

describe('batches (non-interactive transactions)', () => {
  const db = () => drizzleHttp({ client: sql });
  /** sql.transaction's rows, typed as neon()'s defaults (objects, not full results) produce them. */
  const batch = async (...args: Parameters<typeof sql.transaction>) =>
    (await sql.transaction(...args)) as Record<string, unknown>[][];

  it('commits sql.transaction([...]) as one unit', async () => {
    const results = await sql.transaction((tx) => [
      tx`insert into items (name) values ('a') returning id`,
      tx`insert into items (name) values ('b') returning id`,
      tx`select count(*)::int as n from items`,
    ]);
    expect(results).toEqual([[{ id: 1 }], [{ id: 2 }], [{ n: 2 }]]);
    expect(await itemNames()).toEqual(['a', 'b']);
  });

  it('rolls back the whole batch when a later query fails', async () => {
    const error = await rejection(
      sql.transaction([sql`insert into items (name) values ('a')`, sql`insert into items (name) values ('b')`, sql`select 1 / 0`]),
    );
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error.code).toBe('22012');
    expect(await itemNames()).toEqual([]);
  });

  it('leaves the pooled connection idle, not in an aborted transaction, after a rollback', async () => {
    const [before] = await sql`select pg_backend_pid() as pid`;
    await rejection(sql.transaction([sql`select 1 / 0`]));
    const [after] = await sql`select pg_backend_pid() as pid`;
    expect(after).toEqual(before);
    const { rows } = await direct.query('select state from pg_stat_activity where pid = $1', [after?.pid]);
    expect(rows).toEqual([{ state: 'idle' }]);
  });

  it('applies the isolation level, read-only and deferrable options', async () => {
    const show = () => [sql`show transaction_isolation`, sql`show transaction_read_only`, sql`show transaction_deferrable`];
    const settings = async (options?: Parameters<typeof sql.transaction>[1]) =>
      (await batch(show(), options)).map((rows) => Object.values(rows[0] ?? {})[0]);

    expect(await settings()).toEqual(['read committed', 'off', 'off']);
    expect(await settings({ isolationLevel: 'RepeatableRead' })).toEqual(['repeatable read', 'off', 'off']);
    expect(await settings({ isolationLevel: 'ReadUncommitted' })).toEqual(['read uncommitted', 'off', 'off']);
    expect(await settings({ isolationLevel: 'Serializable', readOnly: true, deferrable: true })).toEqual(['serializable', 'on', 'on']);
  });

  it('fails a write in a read-only batch with 25006', async () => {
    const batch = sql.transaction([sql`insert into items (name) values ('ro')`], { readOnly: true });
    expect(await sqlState(batch)).toBe('25006');
    expect(await itemNames()).toEqual([]);
  });

  it('refuses a multi-statement string inside a batch with 42601', async () => {
    expect(await sqlState(sql.transaction([sql`insert into items (name) values ('a')`, sql.query('select 1; select 2')]))).toBe('42601');
    expect(await itemNames()).toEqual([]);
  });

  it('keeps set_config(..., true) local to the batch', async () => {
    const [[inside] = [], [before] = []] = await batch([
      sql`select set_config('app.tenant_id', 'x', true) as set, current_setting('app.tenant_id', true) as tenant`,
      sql`select pg_backend_pid() as pid`,
    ]);
    expect(inside).toEqual({ set: 'x', tenant: 'x' });
    // The endpoint's pool hands back the most recently released connection: the same backend.
    const [after] = await sql`select pg_backend_pid() as pid, current_setting('app.tenant_id', true) as tenant`;
    expect(after).toEqual({ pid: before?.pid, tenant: '' });
  });

  it('commits a drizzle neon-http db.batch([...])', async () => {
    const [inserted, all] = await db().batch([
      db().insert(items).values([{ name: 'a' }, { name: 'b' }]).returning(),
      db().select().from(items).orderBy(asc(items.id)),
    ]);
    expect(inserted).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
    expect(all).toEqual(inserted);
  });

  it('rolls back a drizzle db.batch when a later query fails, with the code on the error', async () => {
    await db().insert(items).values({ name: 'taken' });
    const batch = db().batch([db().insert(items).values({ name: 'fresh' }), db().insert(items).values({ name: 'taken' })]);
    const error = await rejection(batch);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error.code).toBe('23505');
    expect(await itemNames()).toEqual(['taken']);
  });

  it('puts the code of a plain drizzle query on error.cause', async () => {
    await db().insert(items).values({ name: 'taken' });
    const error = await rejection(db().insert(items).values({ name: 'taken' }));
    expect(error.cause).toBeInstanceOf(NeonDbError);
    expect(await sqlState(db().insert(items).values({ name: 'taken' }))).toBe('23505');
    expect(await db().select({ name: items.name }).from(items).where(eq(items.name, 'taken'))).toEqual([{ name: 'taken' }]);
  });
});

describe('WebSocket relay', () => {
  const wsUrl = (address: string) => `${endpoint.url.replace(/^http/, 'ws')}/v1?address=${address}`;

  it('runs drizzle neon-serverless interactive transactions over a Pool', async () => {
    const pool = new Pool({ connectionString: databaseUrl });
    const db = drizzleWs({ client: pool });
    try {
      const id = await db.transaction(async (tx) => {
        const [row] = await tx.insert(items).values({ name: 'kept' }).returning();
        const seen = await tx.select().from(items);
        expect(seen).toEqual([row]);
        return row?.id;
      });
      expect(id).toBe(1);

      const error = await rejection(
        db.transaction(async (tx) => {
          await tx.insert(items).values({ name: 'dropped' });
          expect(await tx.select({ name: items.name }).from(items)).toHaveLength(2);
          tx.rollback();
        }),
      );
      expect(error).toBeInstanceOf(TransactionRollbackError);
      expect(await itemNames()).toEqual(['kept']);
    } finally {
      await pool.end();
    }
  });

  it('refuses a non-loopback target and unknown paths', async () => {
    const status = (url: string) =>
      new Promise<number | undefined>((resolve) => {
        const socket = new WebSocket(url);
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        socket.on('open', () => resolve(101));
        socket.on('error', () => resolve(undefined));
      });
    expect(await status(wsUrl('example.com:5432'))).toBe(400);
    expect(await status(wsUrl('10.0.0.1:5432'))).toBe(400);
    expect(await status(wsUrl('127.0.0.1'))).toBe(400);
    expect(await status(`${endpoint.url.replace(/^http/, 'ws')}/v2?address=127.0.0.1:5432`)).toBe(404);
  });

  describe('closing', () => {
    let fake: net.Server;
    let fakePort: number;
    let onSocket: (socket: net.Socket) => void;

    beforeAll(async () => {
      fake = net.createServer((socket) => onSocket(socket));
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      fakePort = (fake.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(wsUrl(`127.0.0.1:${fakePort}`));
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });

    it('relays bytes both ways and closes TCP when the WebSocket closes', async () => {
      const tcpEnded = new Promise<string>((resolve) => {
        onSocket = (socket) => {
          let received = '';
          socket.on('data', (chunk) => {
            received += chunk.toString();
            socket.write(`echo:${chunk.toString()}`);
          });
          socket.on('end', () => resolve(received));
        };
      });
      const socket = await open();
      const echoed = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
      socket.send(Buffer.from('ping'));
      expect(await echoed).toBe('echo:ping');
      socket.close();
      expect(await tcpEnded).toBe('ping');
    });

    it('lets the client close first: ends the WebSocket only after a grace once TCP closed', async () => {
      let tcpClosedAt = 0;
      onSocket = (socket) => {
        tcpClosedAt = Date.now();
        socket.end();
      };
      const socket = await open();
      const code = await new Promise<number>((resolve) => socket.once('close', resolve));
      expect(tcpClosedAt).toBeGreaterThan(0);
      expect(Date.now() - tcpClosedAt).toBeGreaterThanOrEqual(900);
      expect(code).toBe(1000);
    });
  });
});

describe('refusals and unreachable databases', () => {
  it('refuses a connection string whose host is not loopback', async () => {
    const remote = neon('postgresql://user:secret@db.example.com:5432/neondb');
    const error = await rejection(remote`select 1`);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error.message).toMatch(/loopback/);
  });

  it('answers a class 08 NeonDbError when Postgres cannot be reached', async () => {
    const closed = neon(`postgresql://postgres:postgres@127.0.0.1:${await findFreePort()}/${DATABASE}`);
    const error = await rejection(closed`select 1`);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error.code).toBe('08001');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('passes through Postgres’ own connection errors, such as an unknown database', async () => {
    const url = new URL(databaseUrl);
    url.pathname = '/no_such_database';
    expect(await sqlState(neon(url.href)`select 1`)).toBe('3D000');
  });
});

describe('counting', () => {
  const httpStats = async () => (await fetch(`${endpoint.url}/_stats`)).json();

  beforeEach(async () => {
    const response = await fetch(`${endpoint.url}/_stats/reset`, { method: 'POST' });
    expect(response.status).toBe(204);
  });

  it('starts from zero after a reset, over HTTP and on the object', async () => {
    const zero = {
      httpRequests: 0, batches: 0, queries: 0, wsSessions: 0, roundTrips: 0,
      largestRequestBytes: 0, largestResponseBytes: 0, tooLargeRequests: 0, tooLargeResponses: 0, recentRequests: [],
    };
    expect(await httpStats()).toEqual(zero);
    expect(endpoint.stats()).toEqual(zero);
  });

  it('counts one round trip per neon() query and per batch', async () => {
    await sql`select 1`;
    await sql.query('select $1::int', [2]);
    expect(endpoint.stats()).toMatchObject({ httpRequests: 2, batches: 0, queries: 2, wsSessions: 0, roundTrips: 2 });

    await sql.transaction([sql`select 1`, sql`select 2`, sql`select 3`]);
    expect(await httpStats()).toMatchObject({ httpRequests: 3, batches: 1, queries: 5, wsSessions: 0, roundTrips: 3 });
    // Whose trips they were, as the round-trip walk prints them when a count is off.
    expect(endpoint.stats().recentRequests).toEqual(['select 1', 'select $1::int', 'select 1 | select 2 | select 3']);
  });

  it('weighs the largest request body', async () => {
    const padding = 'x'.repeat(10_000);
    await sql`select ${padding}::text`;
    await sql`select 1`;
    expect(endpoint.stats().largestRequestBytes).toBeGreaterThan(10_000);
    expect(endpoint.stats().largestRequestBytes).toBeLessThan(11_000);
  });

  it('counts one round trip per WebSocket session', async () => {
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    const db = drizzleWs({ client: pool });
    await db.transaction(async (tx) => {
      await tx.insert(items).values({ name: 'a' });
      await tx.select().from(items);
    });
    await db.select().from(items);
    await pool.end();
    expect(endpoint.stats()).toMatchObject({ httpRequests: 0, wsSessions: 1, roundTrips: 1 });
  });

  it('zeroes the counters with resetStats()', async () => {
    await sql`select 1`;
    endpoint.resetStats();
    expect(endpoint.stats().roundTrips).toBe(0);
  });
});

describe('robustness', () => {
  it('survives a backend being terminated under the pool', async () => {
    const [{ pid } = { pid: 0 }] = await sql`select pg_backend_pid() as pid`;
    await direct.query('select pg_terminate_backend($1)', [pid]);
    // The pool drops the dead connection (idle 'error') and the next request gets a fresh one.
    await expect.poll(async () => (await sql`select 1 as one`)[0], { timeout: 5_000 }).toEqual({ one: 1 });
  });
});
