/**
 * Key drivers inside the internal side, respondent by respondent (issue 17 item 1): how much of the
 * variance of staff willingness, and of the 0-10 "would recommend as an employer" answer behind
 * eNPS, each support score and the know/can triad account for, among the respondents of one
 * published cell (tenant or unit subtree × whole period). Johnson's relative weights with bootstrap
 * intervals and a noise variable, as across units (key-drivers.ts).
 *
 * **Anonymity.** Only cells the disclosure rule publishes are analysed (the route asks
 * `disclosure.decide`), and only with at least `minimumRespondents` of them. What is published is
 * weights, their intervals, R² and n: never coefficients, means or moments. Why that reveals no
 * group of 1-4 respondents:
 * - Within one cell: the weights, R² and their intervals (about 40 numbers per outcome) are a
 *   many-to-one function of a table of at least 70 × 8 answers; the point estimates depend on the
 *   table only through its correlation matrix, which they do not determine either. They cannot pin
 *   down any one respondent's row, let alone its sum.
 * - Across cells (differencing): weights are not additive, so subtracting two answers gives no
 *   figure about the respondents in one and not the other; an attacker would first have to recover
 *   each cell's moments, which the weights do not determine. And the rule publishes two nested cells
 *   only when they differ by 0 or ≥ 5 respondents (worker/domain/disclosure.ts: classes of non-zero
 *   signature hold ≥ 5), so even exact moments of both would describe a group of at least 5, the
 *   size every internal mean is published for (tests/api/respondent-drivers.test.ts tries it).
 *
 * **Sample.** The database returns a uniform sample of at most `RESPONDENT_SAMPLE_CAP` respondents
 * (ordered by a hash of their random ids), so a 100,000-respondent tenant sends the worker 1,000
 * rows (about 50 KB), far inside Neon's 10 MiB response, and the bootstrap's cost is bounded. A
 * uniform sample of independent respondents is itself independent, so the intervals stay valid for
 * what they estimate; they are only wider than the whole cell would give, i.e. conservative. The
 * bootstrap is most of the cost: both outcomes over 1,000 respondents took about 1 s of CPU (2,000:
 * 3.2 s) in Node on a 2-core machine at load average 10, hence the cap.
 */
import { type KeyDriverPredictor, keyDrivers, type NamedKeyDriverAnalysis, withMinimumAs } from './key-drivers.ts';

/** What willingness is set beside: the four root causes, leadership support, and knowing and being able to serve. */
export const WILLINGNESS_DRIVERS = ['commitments', 'internalCulture', 'empowerment', 'recognition', 'leadershipSupport', 'knowledge', 'ability'] as const satisfies readonly KeyDriverPredictor[];
/** The recommend-as-employer answer is set beside the same and willingness itself. */
export const ENPS_DRIVERS = [...WILLINGNESS_DRIVERS, 'willingness'] as const satisfies readonly KeyDriverPredictor[];
/** A sampled row: ENPS_DRIVERS' scores, then recommendEmployer (null when not answered). */
export const RESPONDENT_COLUMNS = [...ENPS_DRIVERS, 'recommendEmployer'] as const;
export type RespondentRow = readonly (number | null)[];

/** At most this many respondents are analysed: a uniform sample beyond it. */
export const RESPONDENT_SAMPLE_CAP = 1000;

/**
 * Fewer respondents than this say nothing: max(30, 10 per driver), so 70 for willingness and 80
 * for eNPS. Ten cases per predictor is the usual floor for a regression; 30 keeps a cell far above
 * the 5 every internal figure needs.
 */
export function minimumRespondents(drivers: number): number {
  return Math.max(30, 10 * drivers);
}

type RespondentAnalysis = NamedKeyDriverAnalysis<'minimumRespondents'>;
export interface RespondentDrivers {
  willingness: RespondentAnalysis;
  enps: RespondentAnalysis;
}

/** Relative weights of the drivers of willingness and of the recommend answer over sampled respondents. */
export function respondentKeyDrivers(rows: readonly RespondentRow[], options?: { resamples?: number; seed?: number }): RespondentDrivers {
  const at = (name: (typeof RESPONDENT_COLUMNS)[number]) => RESPONDENT_COLUMNS.indexOf(name);
  const willing = at('willingness');
  const recommend = at('recommendEmployer');
  const analyse = (drivers: readonly string[], outcome: string, sample: readonly RespondentRow[], column: number) => {
    const [analysis] = keyDrivers(
      {
        predictors: drivers,
        rows: sample.map((row) => drivers.map((name) => row[at(name as (typeof RESPONDENT_COLUMNS)[number])]!)),
        outcomes: [{ name: outcome, values: sample.map((row) => row[column]!) }],
        subject: 'respondents',
        minimum: minimumRespondents(drivers.length),
      },
      options,
    );
    return withMinimumAs('minimumRespondents', analysis!);
  };
  return {
    willingness: analyse(WILLINGNESS_DRIVERS, "staff's willingness", rows, willing),
    enps: analyse(ENPS_DRIVERS, 'whether staff would recommend the employer (eNPS)', rows.filter((row) => row[recommend] !== null), recommend),
  };
}
