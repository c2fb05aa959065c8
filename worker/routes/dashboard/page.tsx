import type { Child } from 'hono/jsx';
import { html, raw } from 'hono/html';
import { benchmarkChartInput, renderBenchmarkChart } from '../../domain/benchmark-chart.ts';
import { MEASURE_DISPLAY, percent, periodLabel } from '../../domain/charts/format.ts';
import { renderTrendChart } from '../../domain/charts/trend.ts';
import { MEASURE_RANGES, type Measure } from '../../domain/measures.ts';
import type { ApiResult, Benchmark, DashboardData, Scorecard } from './data.ts';
import { addMonths, COHORTS, HEADLINE_MEASURES, TREND_MONTHS } from './data.ts';
import { HeatmapSection } from './heatmap.tsx';
import { Source, Unavailable } from './parts.tsx';
import { Indicators } from './road.tsx';
import { DASHBOARD_PATH } from './session.ts';

type Headline = (typeof HEADLINE_MEASURES)[number];
type Period = Scorecard['periods'][number];

function Layout(props: { title: string; children: Child }) {
  return html`<!DOCTYPE html>${(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href={`${DASHBOARD_PATH}/style.css`} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        {props.children}
      </body>
    </html>
  )}`;
}

export function signInPage({ error }: { error: string | null }) {
  return (
    <Layout title="Sign in · Service culture dashboard">
      <main id="main" class="signin">
        <h1>Service culture dashboard</h1>
        <p>Sign in with an API key of your organization. The key is kept in an encrypted, short-lived session cookie, never in the page.</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <form method="post" action={`${DASHBOARD_PATH}/session`}>
          <label>
            API key
            <input type="password" name="apiKey" autocomplete="off" required autofocus />
          </label>
          <button type="submit">Sign in</button>
        </form>
      </main>
    </Layout>
  );
}

function figureOf(period: Period | undefined, measure: Headline) {
  return period?.external[measure] ?? null;
}

function Trends({ data, scope }: { data: DashboardData; scope: string }) {
  const { scorecard } = data;
  if (!scorecard.body) return <Unavailable result={scorecard} what="The scorecard" />;
  const periods = scorecard.body.periods;
  const first = periods[0];
  const last = periods.at(-1);
  const span = first && last ? periodLabel(first.from, last.to) : '';
  return (
    <div class="charts">
      {HEADLINE_MEASURES.map((measure) => {
        const display = MEASURE_DISPLAY[measure];
        const points = periods.map((p) => ({ label: periodLabel(p.from, p.to, 'short'), longLabel: periodLabel(p.from, p.to), value: figureOf(p, measure)?.value ?? null, significant: figureOf(p, measure)?.change?.significant ?? false }));
        const svg = renderTrendChart({ title: display.title, subtitle: `${scope} · ${span}`, points, target: figureOf(last, measure)?.target ?? null, format: display.format, better: display.better, scale: MEASURE_RANGES[measure] });
        return (
          <figure data-chart="trend" data-measure={measure}>
            {raw(svg)}
            <details>
              <summary>{display.title} as a table</summary>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col">{display.title}</th>
                    <th scope="col">Answers</th>
                  </tr>
                </thead>
                <tbody>
                  {periods.map((p, i) => (
                    <tr>
                      <th scope="row">{points[i]!.longLabel}</th>
                      <td>{points[i]!.value === null ? '–' : display.format(points[i]!.value!)}</td>
                      <td>{figureOf(p, measure)?.n ?? 0}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </figure>
        );
      })}
    </div>
  );
}

const COHORT_NAMES: Record<(typeof COHORTS)[number], string> = { all: 'All participants', industry: 'Your industry', sizeBand: 'Your size band', region: 'Your region' };

function BenchmarkFigure({ measure, result }: { measure: Headline; result: ApiResult<Benchmark> }) {
  const display = MEASURE_DISPLAY[measure];
  const benchmark = result.body;
  if (!benchmark) {
    return (
      <figure data-chart="benchmark" data-measure={measure}>
        <figcaption>
          <strong>{display.title}</strong>
        </figcaption>
        <Unavailable result={result} what="This benchmark" />
      </figure>
    );
  }
  const svg = renderBenchmarkChart(benchmarkChartInput(benchmark));
  return (
    <figure data-chart="benchmark" data-measure={measure}>
      {raw(svg)}
      <figcaption>
        <Source result={result} />
      </figcaption>
    </figure>
  );
}

const VERDICTS = {
  organizational: 'Customers blame attitude, yet staff are willing and poorly supported: the cause is organizational, not the people at the counter.',
  'not-indicated': 'The figures do not point to an organizational cause behind the blame on attitude.',
  'insufficient-data': 'Too few answers in this period to say whether the blame on attitude has an organizational cause.',
} as const;

function DiagnosticsSection({ data }: { data: DashboardData }) {
  const { diagnostics } = data;
  if (!diagnostics.body) return <Unavailable result={diagnostics} what="The diagnostics" />;
  const { findings, attitudeParadox, period } = diagnostics.body;
  return (
    <>
      <p class="muted">{periodLabel(period.from, period.to)}</p>
      <p>{VERDICTS[attitudeParadox.verdict]}</p>
      {findings.length === 0 ? (
        <p>No findings for this period.</p>
      ) : (
        <ul>
          {findings.map((finding) => (
            <li class={`finding ${finding.severity}`} data-finding={finding.id}>
              <strong>{finding.severity === 'high' ? 'Important: ' : finding.severity === 'medium' ? 'Worth a look: ' : 'For information: '}</strong>
              {finding.text}
              {finding.recommendation && <p>What to do: {finding.recommendation}</p>}
            </li>
          ))}
        </ul>
      )}
      <Source result={diagnostics} />
    </>
  );
}

const OUTCOMES: Record<string, string> = { csat: 'Customer satisfaction (CSAT)', overall: 'Overall satisfaction' };
const DRIVERS: Record<string, string> = {
  commitments: 'Commitments kept',
  internalCulture: 'Internal service culture',
  empowerment: 'Authority to decide',
  recognition: 'Recognition',
  leadershipSupport: 'Support from leaders',
  knowledge: 'Knowledge',
  ability: 'Ability',
  willingness: 'Willingness',
};

function KeyDriversSection({ data }: { data: DashboardData }) {
  const { keyDrivers } = data;
  if (keyDrivers.status === 404) return <p class="unavailable">Not available yet: this server does not offer key drivers.</p>;
  if (!keyDrivers.body) return <Unavailable result={keyDrivers} what="Key drivers" />;
  return (
    <>
      {Object.entries(keyDrivers.body.outcomes).map(([outcome, analysis]) => (
        <div data-outcome={outcome}>
          <h3>{OUTCOMES[outcome] ?? outcome}</h3>
          <p>{analysis.verdict}</p>
          {analysis.drivers.some((d) => d.associated) && (
            <ul>
              {analysis.drivers
                .filter((d) => d.associated)
                .map((d) => (
                  <li>
                    {DRIVERS[d.name] ?? d.name}: {percent(d.share)} of what the drivers explain
                  </li>
                ))}
            </ul>
          )}
        </div>
      ))}
      <Source result={keyDrivers} />
    </>
  );
}

function Pickers({ data, months }: { data: DashboardData; months: { value: string; label: string }[] }) {
  const units = data.units.body?.data ?? [];
  return (
    <form class="pickers" method="get" action={DASHBOARD_PATH}>
      <label>
        Month
        <select name="month">
          {months.map((m) => (
            <option value={m.value} selected={`${m.value}-01` === data.query.month}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Unit
        <select name="unitId">
          <option value="">Whole organization</option>
          {units.map((unit) => (
            <option value={unit.id} selected={unit.id === data.query.unitId}>
              {unit.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Peers
        <select name="cohort">
          {COHORTS.map((cohort) => (
            <option value={cohort} selected={cohort === data.query.cohort}>
              {COHORT_NAMES[cohort]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

function Section(props: { id: string; title: string; children: Child }) {
  return (
    <section id={props.id} aria-labelledby={`${props.id}-title`} data-section={props.id}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** The dashboard for `data`; the month picker offers the months up to `latest` (the current one). */
export function dashboardPage(data: DashboardData, latest: string) {
  const tenantName = data.tenant.body?.name ?? 'Your organization';
  const unit = data.units.body?.data.find((u) => u.id === data.query.unitId);
  const scope = unit ? unit.name : 'Whole organization';
  const months = Array.from({ length: TREND_MONTHS }, (_, i) => {
    const from = addMonths(latest, -i);
    return { value: from.slice(0, 7), label: periodLabel(from, addMonths(from, 1)) };
  });
  return (
    <Layout title={`${tenantName} · Service culture dashboard`}>
      <header>
        <h1>{tenantName}: service culture</h1>
        <form method="post" action={`${DASHBOARD_PATH}/sign-out`}>
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main id="main">
        <Pickers data={data} months={months} />
        <p class="muted">
          Showing {scope}, {periodLabel(data.query.month, addMonths(data.query.month, 1))}. Each figure links to the API call it comes from.
        </p>
        <Section id="indicators" title="The four indicators, CSAT and NPS">
          <Indicators data={data} />
        </Section>
        <Section id="trends" title={`Trends over ${TREND_MONTHS} months`}>
          <Trends data={data} scope={scope} />
        </Section>
        <Section id="benchmarks" title={`Where you stand: ${COHORT_NAMES[data.query.cohort].toLowerCase()}`}>
          <p class="muted">The latest complete month computed for the benchmark, for the whole organization.</p>
          <div class="charts">
            {HEADLINE_MEASURES.map((measure) => (
              <BenchmarkFigure measure={measure} result={data.benchmarks[measure]} />
            ))}
          </div>
        </Section>
        <Section id="diagnostics" title="What the diagnostics find">
          <DiagnosticsSection data={data} />
        </Section>
        <Section id="key-drivers" title="Key drivers">
          <KeyDriversSection data={data} />
        </Section>
        <Section id="heatmap" title="Units at a glance">
          <HeatmapSection result={data.heatmap} />
        </Section>
      </main>
    </Layout>
  );
}
