/**
 * `npm start` as a newcomer runs it, for the tests that need the real thing: a fresh copy of the
 * repository inside a 0700 folder (as root, a home folder such as /root; node_modules is hard-linked
 * into the copy, so the Postgres binaries sit behind the 0700 folder too), with its own `.local/`
 * state and its own free ports, so it never meets another test's stack or a developer's `npm start`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../scripts/lib/ports.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Ports {
  PORT: string;
  LOCAL_POSTGRES_PORT: string;
  LOCAL_NEON_ENDPOINT_PORT: string;
}

export interface Run {
  /** Everything printed so far, stdout and stderr together. */
  output: string;
  child: ChildProcess;
}

export interface Newcomer {
  /** The 0700 folder the copy sits in. */
  parent: string;
  /** The copy: its `.local/` is this stack's state. */
  clone: string;
  ports: Ports;
  /** The worker's base URL. */
  base: string;
  /**
   * `npm start` (its script, without npm in between) until it says it is ready (or prints `until`); rejects
   * with its output if it exits first. `onReady` runs the moment that line arrives (a bench reads the CPU used by then).
   */
  start(options?: { onReady?: (child: ChildProcess) => void; until?: RegExp }): Promise<Run>;
  /** Ctrl-C, and waits for it to exit. */
  stop(run: Run): Promise<void>;
  /** Deletes the copy and, as root, the cluster it kept in the shared cache. */
  remove(): void;
}

/**
 * The repository's files as git sees them (tracked and new, not ignored), without .local/ or node_modules/;
 * or, given `ref`, the files of that commit (a bench's baseline).
 */
function copyRepository(to: string, ref?: string): void {
  if (ref) {
    const copied = spawnSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', ref, to], { cwd: ROOT, encoding: 'utf8' });
    if (copied.status !== 0) throw new Error(`copying ${ref} failed: ${copied.stderr}`);
  } else {
    const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
    const copied = spawnSync('cp', ['--parents', '-t', to, ...files.filter((file) => statSync(path.join(ROOT, file), { throwIfNoEntry: false }))], { cwd: ROOT });
    if (copied.status !== 0) throw new Error(`copying the repository failed: ${copied.stderr}`);
  }
  // Hard links: a real node_modules inside the 0700 folder, made in a second; a link across file systems cannot, so then a symlink.
  if (spawnSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(to, 'node_modules')]).status !== 0) {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'));
  }
}

/** `ref`: a copy of that commit instead of the working tree (git's name for it: a hash, a branch, `HEAD~1`). */
export async function newcomer(options: { ref?: string } = {}): Promise<Newcomer> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'sc-newcomer-')); // mode 0700, owned by whoever runs the tests
  const clone = path.join(parent, 'service-culture');
  mkdirSync(clone);
  copyRepository(clone, options.ref);
  const ports: Ports = { PORT: String(await findFreePort()), LOCAL_POSTGRES_PORT: String(await findFreePort()), LOCAL_NEON_ENDPOINT_PORT: String(await findFreePort()) };
  return {
    parent,
    clone,
    ports,
    base: `http://127.0.0.1:${ports.PORT}`,
    start({ onReady, until = /Ready in/ } = {}) {
      // The local stack, whatever the caller's environment points at.
      const { OPERATOR_TOKEN: _token, DATABASE_URL: _database, MIGRATION_DATABASE_URL: _migration, ...env } = process.env;
      const child = spawn(process.execPath, [path.join(clone, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
        cwd: clone,
        env: { ...env, ...ports },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run: Run = { output: '', child };
      let ready = false;
      return new Promise((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          run.output += String(chunk);
          if (!ready && until.test(run.output)) {
            ready = true;
            onReady?.(child);
            resolve(run);
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${run.output}`)));
      });
    },
    async stop(run) {
      if (run.child.exitCode !== null) return;
      const exited = new Promise((resolve) => run.child.once('exit', resolve));
      run.child.kill('SIGINT');
      await exited;
    },
    remove() {
      // As root the cluster lived in the shared cache, linked from .local/postgres: remove its folder too.
      const link = path.join(clone, '.local/postgres');
      if (lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(path.dirname(readlinkSync(link)), { recursive: true, force: true });
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
