import { raw } from 'hono/html';
import { heatmapChartInput, renderHeatmapChart } from '../../domain/charts/heatmap.ts';
import { MEASURE_DISPLAY } from '../../domain/charts/format.ts';
import type { ApiResult, Heatmap } from './data.ts';
import { Source, Unavailable } from './parts.tsx';

const WITHHELD = { 'too-few-respondents': 'hidden: fewer than 5 staff', complementary: 'hidden: would reveal a small group', 'period-open': 'hidden until the month ends', 'not-published': 'hidden' } as const;

type Cell = Heatmap['data'][number]['cells'][keyof Heatmap['data'][number]['cells']];

function cellWords(cell: Cell, format: (value: number) => string): string {
  if (cell.withheld) return WITHHELD[cell.withheld];
  if (cell.value === null) return '–';
  const median = cell.cohort.difference === null ? '' : ` (median ${format(cell.cohort.median!)})`;
  return `${format(cell.value)}${median}${cell.change?.significant ? (cell.change.difference > 0 ? ' ▲' : ' ▼') : ''}`;
}

/** Units × measures of the chosen month: the API's heatmap drawn, with the same figures as a table and the call behind them. */
export function HeatmapSection({ result }: { result: ApiResult<Heatmap> }) {
  const heatmap = result.body;
  const source = <Source result={result} />;
  if (!heatmap) return <Unavailable result={result} what="The unit heatmap" />;
  if (heatmap.data.length === 0) return <p>No units yet. {source}</p>;
  return (
    <figure data-chart="heatmap">
      {raw(renderHeatmapChart(heatmapChartInput(heatmap)))}
      <details>
        <summary>The heatmap as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              {heatmap.measures.map((m) => (
                <th scope="col">{MEASURE_DISPLAY[m.measure].title}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {heatmap.data.map((row) => (
              <tr>
                <th scope="row">{row.unit.name}</th>
                {heatmap.measures.map((m) => (
                  <td>{cellWords(row.cells[m.measure as keyof typeof row.cells], MEASURE_DISPLAY[m.measure].format)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <figcaption>
        {heatmap.nextCursor ? 'The first 100 units; the API pages through the rest. ' : ''}
        {source}
      </figcaption>
    </figure>
  );
}
