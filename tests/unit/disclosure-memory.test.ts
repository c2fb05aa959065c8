/**
 * Planning fits a Worker (issue 16): the disclosure plan of a tenant of 12,000 units × 13 closed
 * months (bench/disclosure.ts's synthetic tenant, 463,320 atoms, several tree versions) is planned
 * and packed in a Node process whose heap is capped at a Worker's 128 MB, its resident set grows by
 * less than 128 MB (typed arrays are outside the heap), and the stored plan is one database request
 * well under 1 MiB. The planner it replaced needed about 1.2 GB here and was killed
 * by V8 at this cap; its stored plan was 2.6 MB.
 */
import { expect, test } from 'vitest';
import { runDisclosureBench } from '../../bench/disclosure.ts';

test('planning 12,000 units × 13 months fits in 128 MB (heap and typed arrays), and its stored plan in one request under 1 MiB', async () => {
  const result = await runDisclosureBench({ heapLimitMb: 128 });
  console.log(
    `disclosure at ${result.units} units × ${result.months} months: peak heap ${result.peakHeapMb.toFixed(1)} MB, resident set growth ${result.peakRssGrowthMb.toFixed(1)} MB, planned in ${result.planningWallMs.toFixed(0)} ms, stored plan ${(result.storedPlanBytes / 1024).toFixed(0)} KiB`,
  );
  expect(result.fits, `exit code ${result.exitCode}`).toBe(true);
  expect(result.units).toBe(12_000);
  expect(result.months).toBe(13);
  expect(result.peakHeapMb).toBeLessThan(128);
  // Typed arrays are outside the heap cap: the resident set's growth bounds heap and arrays together.
  expect(result.peakRssGrowthMb).toBeLessThan(128);
  expect(result.storedPlanBytes).toBeLessThan(2 ** 20);
  // CPU-bound, in a child process: ~5 s alone, more on a shared machine.
}, 120_000);
