/**
 * The worker for `npm start`, in a process of its own: loading Miniflare and setting it up take a CPU-second
 * or two on one thread, which in `npm start`'s own process would hold up Postgres, the pool and the local Neon
 * endpoint that share its event loop; here they run on the other core. Plain JavaScript, run by node itself:
 * under tsx, loading Miniflare took twice the CPU. It loads Miniflare at once, then waits on its IPC channel
 * for `{ options }` (scripts/lib/worker.ts, `miniflareOptions`) and answers `{ url }` once the worker serves,
 * or `{ error }`; workerd's output goes to this process' stdout and stderr as is. SIGINT, SIGTERM or the
 * parent going away stops the worker.
 */
const loading = import('miniflare');

let miniflare;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await miniflare?.dispose().catch(() => {});
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stop());
process.on('disconnect', () => void stop());

process.once('message', async ({ options }) => {
  try {
    const { Miniflare } = await loading;
    miniflare = new Miniflare({
      ...options,
      handleRuntimeStdio: (stdout, stderr) => {
        stdout.pipe(process.stdout);
        stderr.pipe(process.stderr);
      },
    });
    const url = await miniflare.ready;
    process.send({ url: url.href });
  } catch (error) {
    process.send({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  }
});
