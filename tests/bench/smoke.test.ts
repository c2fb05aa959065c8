/**
 * The benches run, briefly, so a change that breaks one shows here and not only when somebody next
 * measures: twice a bench broke silently (the startup bench's first API request answered 500 once
 * failed authentications needed a limiter; the ingest bench's raw rows lacked a column added later).
 * Figures are not checked: timings belong to `npm run bench` (bench/README.md), not to tests.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runHttpBench } from '../../bench/http.ts';
import { runIngestBench } from '../../bench/ingest.ts';
import { runStartupBench } from '../../bench/startup.ts';

const BRIEF = { connections: 1, warmupSeconds: 0, seconds: 0.5 };
const rounds = process.env.STARTUP_ROUNDS;

afterEach(() => {
  if (rounds === undefined) delete process.env.STARTUP_ROUNDS;
  else process.env.STARTUP_ROUNDS = rounds;
});

/** Every case answered, each request with a 2xx. */
function expectClean(cases: readonly { name: string; requests: number; non2xx: number; errors: number }[]) {
  for (const c of cases) {
    expect(c.requests, c.name).toBeGreaterThan(0);
    expect({ name: c.name, non2xx: c.non2xx, errors: c.errors }).toEqual({ name: c.name, non2xx: 0, errors: 0 });
  }
}

describe('the benches run', () => {
  test('ingest: every case, the raw ones included, writes', { timeout: 180_000 }, async () => {
    const result = await runIngestBench(BRIEF);
    expect(result.cases.map((c) => c.name)).toEqual(expect.arrayContaining(['POST single', 'raw pg single-row transaction']));
    expectClean(result.cases);
    expect(result.singleOverRaw).toBeGreaterThan(0);
  });

  test('http: every read answers', { timeout: 180_000 }, async () => {
    expectClean((await runHttpBench(BRIEF)).cases);
  });

  test('startup: the deploy bundle and hello-world both start and answer', { timeout: 180_000 }, async () => {
    process.env.STARTUP_ROUNDS = '1';
    const result = await runStartupBench();
    expect(result.bundle).toHaveLength(1);
    expect(result.bundleMedianMs).toBeGreaterThan(0);
  });
});
