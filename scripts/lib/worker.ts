import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningWorker {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  dispose(): Promise<void>;
}

/**
 * The real worker (wrangler.toml, bundled as for deploy) in workerd via Miniflare, with the given
 * bindings. No inspector, no file watching: for tests and benches, which drive it as a black box.
 */
export async function startWorker(
  vars: Record<string, string>,
  { port = 0, logLevel = 'error' }: { port?: number; logLevel?: 'none' | 'error' | 'warn' | 'info' | 'log' } = {},
): Promise<RunningWorker> {
  const worker = await unstable_startWorker({
    config: path.join(ROOT, 'wrangler.toml'),
    bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text', value }])),
    // testScheduled exposes /__scheduled, so tests can fire the cron handler as the platform would.
    dev: { server: { hostname: '127.0.0.1', port }, inspector: false, watch: false, persist: false, logLevel, testScheduled: true },
  });
  await worker.ready;
  const url = (await worker.url).href.replace(/\/$/, '');
  return { url, dispose: () => worker.dispose() };
}
