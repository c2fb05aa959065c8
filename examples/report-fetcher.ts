/**
 * A monthly report: the tenant's scorecard for the last few months up to today, then where it stands
 * among its peers on customer satisfaction. REPORT_MEASURE (default `csat`) and REPORT_COHORT (default
 * `all`) choose the benchmark. The benchmark exists once the daily job has run for the last complete
 * month; until then the API answers 404, which is printed as such.
 */
import { unwrap } from '../openapi/client/index.ts';
import type { components } from '../openapi/client/index.ts';
import { clientFromEnv, run } from './lib.ts';

type Benchmark = components['schemas']['Benchmark'];
const MEASURE = (process.env.REPORT_MEASURE ?? 'csat') as Benchmark['measure'];
const COHORT = (process.env.REPORT_COHORT ?? 'all') as Benchmark['cohort']['kind'];

type Figure = { value: number | null; n: number } | { suppressed: true; reason: string };
const show = (figure: Figure | number | string | null) => {
  if (figure === null || typeof figure !== 'object') return String(figure ?? '—');
  if ('suppressed' in figure) return `suppressed (${figure.reason})`;
  return figure.value === null ? `— (n=${figure.n})` : `${figure.value.toFixed(2)} (n=${figure.n})`;
};

run(async () => {
  const api = clientFromEnv();
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 2, 1)).toISOString().slice(0, 10);
  // `to` is exclusive: tomorrow, so today's ratings count.
  const to = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
  const { name } = unwrap(await api.GET('/v1/tenant'));
  const scorecard = unwrap(await api.GET('/v1/scorecard', { params: { query: { from, to, interval: 'month' } } }));
  console.log(`Scorecard of ${name}, by month`);
  for (const { from: start, external, internal } of scorecard.periods) {
    console.log(`  ${start}  external ratings ${external.ratings}`);
    console.log(`    overall ${show(external.overall)}  quality ${show(external.quality)}  csat ${show(external.csat)}  nps ${show(external.nps)}`);
    console.log(`    internal respondents ${show(internal.respondents)}  support index ${show(internal.supportIndex)}  eNPS ${show(internal.enps)}`);
  }

  const result = await api.GET('/v1/benchmarks', { params: { query: { measure: MEASURE, cohort: COHORT, period: 'month' } } });
  if (result.response.status === 404) {
    console.log(`Benchmark ${MEASURE} (${COHORT}): none yet — ${(result.error as { detail?: string }).detail}`);
    return;
  }
  const benchmark = unwrap(result);
  const { distribution, own, period } = benchmark;
  console.log(`Benchmark ${MEASURE} among ${COHORT === 'all' ? 'all peers' : `peers of the same ${COHORT}`}, ${period.start} to ${period.end}`);
  console.log(
    distribution.suppressed
      ? `  peers: suppressed (${distribution.reason})`
      : `  peers: ${distribution.organizations} organizations, median ${distribution.median.toFixed(2)} (p25 ${distribution.p25.toFixed(2)}, p75 ${distribution.p75.toFixed(2)})`,
  );
  console.log(own.ranked ? `  percentile: ${own.percentileRank.toFixed(0)} (own value ${own.value.toFixed(2)})` : `  percentile: not ranked (${own.reason}: ${own.detail})`);
});

