/**
 * The demo tenant's month, drawn in memory: enough leaf units with enough answers on both sides for
 * the key drivers across units (issue 17 item 1, at least 40 with ≥ 10 ratings and ≥ 5 staff answers),
 * so the dashboard's key-driver section of a fresh `npm start` names drivers instead of "too few units".
 */
import { expect, test } from 'vitest';
import { DAY_MS } from '../../db/pool/generate.ts';
import { demoDay, demoStart, demoUnits } from '../../db/pool/demo.ts';
import { LINK_MIN_RATINGS, LINK_MIN_RESPONDENTS } from '../../worker/domain/diagnostics.ts';
import { minimumUnits, KEY_DRIVER_PREDICTORS } from '../../worker/domain/key-drivers.ts';

const TENANT = '00000000-0000-4000-8000-00000000de30';
const NOW = new Date('2026-12-03T10:00:00Z');

test('a complete month gives the key drivers enough linked units, and every unit that takes ratings its staff pulse', () => {
  const start = demoStart(NOW);
  const units = demoUnits(TENANT);
  const parents = new Set(units.map((unit) => unit.parent_id));
  const leaves = units.filter((unit) => !parents.has(unit.id));
  const november = { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1) };
  const external = new Map<string, number>();
  const internal = new Map<string, number>();
  for (let day = november.from; day < november.to; day += DAY_MS) {
    const drawn = demoDay(TENANT, new Date(day), start);
    for (const rating of drawn.external) external.set(rating.unit_id, (external.get(rating.unit_id) ?? 0) + 1);
    for (const rating of drawn.internal) internal.set(rating.unit_id, (internal.get(rating.unit_id) ?? 0) + 1);
  }
  const linked = leaves.filter((unit) => (external.get(unit.id) ?? 0) >= LINK_MIN_RATINGS && (internal.get(unit.id) ?? 0) >= LINK_MIN_RESPONDENTS);
  expect(linked.length).toBeGreaterThanOrEqual(minimumUnits(KEY_DRIVER_PREDICTORS.length) + 4);
  // Every leaf has its pulse, at least 8 answers: no unit's month is withheld for too few.
  for (const unit of leaves) expect(internal.get(unit.id) ?? 0, unit.name).toBeGreaterThanOrEqual(8);
  // Group units take no ratings of their own.
  for (const unit of units.filter((unit) => parents.has(unit.id))) expect(external.has(unit.id) || internal.has(unit.id), unit.name).toBe(false);
});
