import { MEASURE_DISPLAY, percent, periodLabel } from '../../domain/charts/format.ts';
import { measureEntry, type Measure } from '../../domain/measure-registry.ts';
import type { DashboardData, Scorecard } from './data.ts';
import { HEADLINE_MEASURES } from './data.ts';
import { Source, Unavailable } from './parts.tsx';

/*
 * The indicator cards: each headline measure now, and for its target the road as the API computes it
 * (GET /v1/scorecard `targets`): baseline → current → target, the share travelled, the road left and
 * whether the pace since the baseline reaches the target by the deadline.
 */

type Road = Scorecard['targets'][number];
type Period = Scorecard['periods'][number];

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** '2027-03-31' as people say it: "31 March 2027". */
const dayLabel = (date: string) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;

/** The share of the road in words: past the target reads "all of the way and beyond", not a share over 100%. */
function travelled(share: number | null): string {
  if (share === null) return 'the baseline already met the target';
  return share > 1 ? 'all of the way and beyond' : `${percent(share)} of the way`;
}

/** A distance as people read it: percentage points for shares, one decimal for net scores, two for means. */
function distance(measure: Measure, size: number): string {
  const { type } = measureEntry(measure).kind;
  if (type === 'share' || type === 'shareAmong') return `${Number((size * 100).toFixed(1))} points`;
  return type === 'net' ? String(Number(size.toFixed(1))) : size.toFixed(2);
}

const WITHHELD: Record<string, string> = {
  'no-data': 'no ratings yet since the baseline',
  'no-periods': 'no month shown here falls after the baseline',
  'too-few-respondents': 'withheld: fewer than 5 respondents',
  complementary: 'withheld to protect a small group',
  'period-open': 'published once the month has ended',
  'not-published': 'not published for this period',
};

/** The pace in words: "On pace to reach 80% by 31 March 2027" or "At this pace, 74% by the deadline (…)". */
function paceText(road: Road): string {
  const { format } = MEASURE_DISPLAY[road.measure];
  const by = road.deadline ? dayLabel(road.deadline) : '';
  switch (road.pace.status) {
    case 'on-pace':
      return `On pace to reach ${format(road.target)} by ${by}.`;
    case 'off-pace':
      return `At this pace, ${format(road.pace.projected!)} by the deadline (${by}).`;
    case 'deadline-passed':
      return `The deadline, ${by}, has passed.`;
    case 'no-deadline':
      return 'No deadline set, so no pace to judge.';
    case 'too-few-points':
      return 'Too little since the baseline to tell the pace.';
  }
}

function RoadLines({ road }: { road: Road }) {
  const { format, title } = MEASURE_DISPLAY[road.measure];
  const { baseline, current } = road;
  return (
    <div class="road" data-road={road.measure}>
      {baseline === null ? (
        <p>Road travelled: no baseline set for this target.</p>
      ) : (
        <p>
          Road travelled: from {format(baseline.value)} in {periodLabel(baseline.from, baseline.to)}
          {current ? `, ${travelled(road.share)}` : ''}.
        </p>
      )}
      {current === null ? (
        <p>Road left: unknown, the current value is {WITHHELD[road.currentReason ?? 'no-data']}.</p>
      ) : road.reached ? (
        <p>Road left: none, the target of {format(road.target)} is reached.</p>
      ) : (
        <p>
          Road left: {distance(road.measure, road.left!)} to the target of {format(road.target)}.
        </p>
      )}
      <p class="pace" data-pace={road.pace.status}>
        {paceText(road)}
      </p>
      {road.share !== null && (
        <meter min={0} max={1} low={0.5} optimum={1} value={Math.min(Math.max(road.share, 0), 1)} aria-label={`${title}: share of the road from the baseline to the target`} />
      )}
    </div>
  );
}

/** A unit without a target of its own is shown the organization's, as its figures carry it. */
function organizationTarget(measure: Measure, value: number | null, target: number): string {
  const { format, better } = MEASURE_DISPLAY[measure];
  if (value === null) return `The organization's target is ${format(target)}.`;
  const left = (better === 'higher' ? 1 : -1) * (target - value);
  return left <= 0
    ? `Road left: none, the organization's target of ${format(target)} is reached.`
    : `Road left: ${distance(measure, left)} to the organization's target of ${format(target)}.`;
}

function IndicatorCard({ measure, period, road }: { measure: (typeof HEADLINE_MEASURES)[number]; period: Period | undefined; road: Road | undefined }) {
  const display = MEASURE_DISPLAY[measure];
  const figure = period?.external[measure] ?? null;
  const value = figure?.value ?? null;
  return (
    <article class="card" data-measure={measure}>
      <h3>{display.title}</h3>
      <p class="value">{value === null ? 'No ratings' : display.format(value)}</p>
      <p class="muted">
        {display.meaning}
        {figure ? ` · ${figure.n} answers` : ''}
      </p>
      {road ? (
        <RoadLines road={road} />
      ) : figure?.target == null ? (
        <p class="muted">No target set.</p>
      ) : (
        <p>{organizationTarget(measure, value, figure.target)}</p>
      )}
    </article>
  );
}

export function Indicators({ data }: { data: DashboardData }) {
  const { scorecard } = data;
  if (!scorecard.body) return <Unavailable result={scorecard} what="The scorecard" />;
  const { periods, targets } = scorecard.body;
  const current = periods.at(-1);
  const roadOf = (measure: Measure) => targets.find((road) => road.measure === measure);
  const others = targets.filter((road) => !(HEADLINE_MEASURES as readonly Measure[]).includes(road.measure));
  return (
    <>
      <p class="muted">{current ? periodLabel(current.from, current.to) : ''} against your targets; each road runs from the target’s baseline to its deadline.</p>
      <div class="cards">
        {HEADLINE_MEASURES.map((measure) => (
          <IndicatorCard measure={measure} period={current} road={roadOf(measure)} />
        ))}
      </div>
      {others.length > 0 && (
        <>
          <h3>Other targets</h3>
          <div class="cards">
            {others.map((road) => (
              <article class="card" data-measure={road.measure}>
                <h3>{MEASURE_DISPLAY[road.measure].title}</h3>
                <p class="value">{road.current ? MEASURE_DISPLAY[road.measure].format(road.current.value) : '–'}</p>
                <RoadLines road={road} />
              </article>
            ))}
          </div>
        </>
      )}
      <p>
        <Source result={scorecard} />
      </p>
    </>
  );
}
