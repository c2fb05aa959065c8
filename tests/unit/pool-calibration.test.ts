/**
 * The reference pool's calibration (db/pool/calibration.ts): every figure inside its published or
 * seed-article target, and db/pool/README.md's table is what `npm run pool:calibration` prints.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { CALIBRATION_TARGETS, type CalibrationFigure, calibrationTable, poolCalibration } from '../../db/pool/calibration.ts';
import { DEFAULT_POOL_SEED, generatePool } from '../../db/pool/generate.ts';

const NOW = new Date('2026-11-23T10:00:00Z');
const values = poolCalibration([...generatePool(DEFAULT_POOL_SEED, NOW)], NOW);

describe('the reference pool calibration', () => {
  test.each(Object.keys(CALIBRATION_TARGETS) as CalibrationFigure[])('%s is inside its target', (figure) => {
    const { low, high } = CALIBRATION_TARGETS[figure];
    expect(values[figure]).toBeGreaterThanOrEqual(low);
    expect(values[figure]).toBeLessThanOrEqual(high);
  });

  test('the support→CSAT link sits near Harter, Schmidt & Hayes’ .32, far from the 0.855 it was', () => {
    expect(Math.abs(values.serviceProfitLink - 0.32)).toBeLessThan(0.1);
  });

  test('the blame benchmark’s exact p90 is below 1 for the month, the quarter and 12 months (issue 14)', () => {
    expect(values.blameP90Month).toBeLessThan(1);
    expect(values.blameP90Quarter).toBeLessThan(1);
    expect(values.blameP90Rolling12).toBeLessThan(1);
  });

  test('db/pool/README.md holds the table the command prints', () => {
    const readme = readFileSync(new URL('../../db/pool/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(calibrationTable(values));
    expect(calibrationTable(values)).not.toContain('OUT OF TARGET');
  });
});
