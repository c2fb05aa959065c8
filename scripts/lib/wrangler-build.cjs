/**
 * `node wrangler-build.cjs OUTDIR [OPTIONS_FILE CONFIG]`: `wrangler deploy --dry-run --outdir OUTDIR` and, given
 * OPTIONS_FILE, wrangler's Miniflare options for CONFIG written there as JSON, from one load of wrangler. Loading
 * wrangler's 10 MB of JavaScript is most of the cost of each (about 2 CPU-seconds); two processes loaded it twice.
 * wrangler's CLI runs only when its file is the main module, so it is loaded as such (the CLI goes on
 * asynchronously); its exports are what `import('wrangler')` gives. CommonJS, run by node itself, as
 * wrangler's own bin script runs it.
 */
const { writeFileSync } = require('node:fs');
const Module = require('node:module');

const [outdir, optionsFile, config] = process.argv.slice(2);
const cli = require.resolve('wrangler/wrangler-dist/cli.js');
process.argv = [process.argv[0], cli, 'deploy', '--dry-run', '--outdir', outdir];
const wrangler = Module._load(cli, null, true);
if (optionsFile) writeFileSync(optionsFile, JSON.stringify(wrangler.unstable_getMiniflareWorkerOptions(config).workerOptions));
