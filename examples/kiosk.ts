/**
 * A satisfaction kiosk by the exit of a branch: each client taps a rating, which becomes an external
 * rating of the branch's unit. `npx tsx examples/kiosk.ts` against `npm start`; KIOSK_RATINGS (default 5)
 * taps are simulated, KIOSK_UNIT_REF (default `branch-001`) names the unit in the kiosk's own terms.
 */
import { unwrap } from '../openapi/client/index.ts';
import { clientFromEnv, run, unitByRef } from './lib.ts';

const TAPS = Number(process.env.KIOSK_RATINGS ?? 5);
const UNIT_REF = process.env.KIOSK_UNIT_REF ?? 'branch-001';

run(async () => {
  const api = clientFromEnv();
  const unit = await unitByRef(api, UNIT_REF, 'Branch 001 front desk', 'touchpoint');
  let satisfied = 0;
  for (let tap = 0; tap < TAPS; tap++) {
    const overall = [5, 4, 4, 3, 2][tap % 5]!;
    // The client adds an Idempotency-Key, so a retried tap is counted once.
    const rating = unwrap(
      await api.POST('/v1/external-ratings', {
        body: {
          unitId: unit.id,
          occurredAt: new Date().toISOString(),
          overall,
          quality: overall,
          recommend: overall * 2,
          customerKind: tap % 2 ? 'recurring' : 'occasional',
          channel: 'in-person',
          ...(overall <= 2 ? { blamedComponent: 'procedures' as const, blamesAttitude: false } : {}),
        },
      }),
    );
    if (overall >= 4) satisfied++;
    console.log(`rating ${rating.id}: overall ${overall}/5 for "${unit.name}"`);
  }
  console.log(`kiosk posted ${TAPS} external ratings (${satisfied} satisfied) to unit ${unit.id}`);
});
