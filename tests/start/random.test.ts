/**
 * The pool's generator draws from mulberry32 streams (db/pool/random.ts), rewritten for speed (a class instead of
 * a fresh set of closures per stream: the pool makes one per rating). The same seed must still give the same
 * draws, or the generated pool — and the calibration table that documents it — would silently change. These
 * values came from the closure version.
 */
import { expect, test } from 'vitest';
import { mulberry32, substream } from '../../db/pool/random.ts';

test('a stream gives the draws it gave before the rewrite', () => {
  const rng = mulberry32(substream(20_261_123, 7));
  expect([rng.uuid(), rng.next(), rng.int(3, 9), rng.chance(0.4), rng.pick(['a', 'b', 'c']), rng.weighted(['x', 'y', 'z'], [1, 2, 3]), rng.normal(), rng.uuid()]).toEqual([
    'c6c7e971-ea62-4522-98ca-d309568ab8b2',
    0.4711469942703843,
    8,
    true,
    'c',
    'y',
    0.9991622671592622,
    '5178d5ab-e0de-427e-ae3e-ba54d6798d6f',
  ]);
});
