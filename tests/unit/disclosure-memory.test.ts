/**
 * Planning fits a Worker (issue 16): the disclosure plan of bench/disclosure.ts's synthetic tenant
 * (regions of teams, 3 atoms per team and month, several tree versions) is planned and packed in a
 * Node process whose heap is capped at a Worker's 128 MB, its resident set grows by less than 128 MB
 * (typed arrays are outside the heap), and the stored plan is one database request well under 1 MiB.
 * - 12,000 units × 13 closed months (463,320 atoms): the planner before the typed-array rewrite
 *   needed about 1.2 GB here and was killed by V8 at this cap; its stored plan was 2.6 MB.
 * - 20,000 units × 37 closed months (three years, 2,206,680 atoms): the typed-array planner of
 *   session 7 (atoms as columns with a (month, unit) index, a byte per cell) grew by 134 MB.
 */
import { expect, test } from 'vitest';
import { runDisclosureBench } from '../../bench/disclosure.ts';

test.each([
  [12_000, 13],
  [20_000, 37],
])('planning %i units × %i months fits in 128 MB (heap and typed arrays), and its stored plan in one request under 1 MiB', async (units, months) => {
  const result = await runDisclosureBench({ heapLimitMb: 128, units, months });
  console.log(
    `disclosure at ${result.units} units × ${result.months} months: peak heap ${result.peakHeapMb.toFixed(1)} MB, resident set growth ${result.peakRssGrowthMb.toFixed(1)} MB, planned in ${result.planningWallMs.toFixed(0)} ms, stored plan ${(result.storedPlanBytes / 1024).toFixed(0)} KiB`,
  );
  expect(result.fits, `exit code ${result.exitCode}`).toBe(true);
  expect(result.units).toBe(units);
  expect(result.months).toBe(months);
  expect(result.peakHeapMb).toBeLessThan(128);
  // Typed arrays are outside the heap cap: the resident set's growth bounds heap and arrays together.
  expect(result.peakRssGrowthMb).toBeLessThan(128);
  expect(result.storedPlanBytes).toBeLessThan(2 ** 20);
  // CPU-bound, in a child process: ~2 s and ~10 s alone, more on a shared machine.
}, 180_000);
