/**
 * Planning fits a Worker (issue 16): the disclosure plan of a tenant of 12,000 units × 13 closed
 * months (bench/disclosure.ts's synthetic tenant, 463,320 atoms, several tree versions) is planned
 * and packed in a Node process whose heap is capped at a Worker's 128 MB, and the stored plan is one
 * database request well under 1 MiB. The planner it replaced needed about 1.2 GB here and was killed
 * by V8 at this cap; its stored plan was 2.6 MB.
 */
import { expect, test } from 'vitest';
import { runDisclosureBench } from '../../bench/disclosure.ts';

test('planning 12,000 units × 13 months fits in 128 MB of heap, and its stored plan in one request under 1 MiB', async () => {
  const result = await runDisclosureBench({ heapLimitMb: 128 });
  console.log(
    `disclosure at ${result.units} units × ${result.months} months: peak heap ${result.peakHeapMb.toFixed(1)} MB, planned in ${result.planningWallMs.toFixed(0)} ms, stored plan ${(result.storedPlanBytes / 1024).toFixed(0)} KiB`,
  );
  expect(result.fits, `exit code ${result.exitCode}`).toBe(true);
  expect(result.units).toBe(12_000);
  expect(result.months).toBe(13);
  expect(result.peakHeapMb).toBeLessThan(128);
  expect(result.storedPlanBytes).toBeLessThan(2 ** 20);
  // CPU-bound, in a child process: ~5 s alone, more on a shared machine.
}, 120_000);
