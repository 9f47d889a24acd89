// A real redis-server on a free loopback port, and the built planner and worker as separate
// processes, for the end-to-end tests of `pnpm repro --queue`.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAIN } from '../cli.test-helper.js';
import type { RunRecord } from '../storage/run-record.js';

/** `dist/queue/worker-main.js`: `pnpm repro-worker`. */
export const WORKER_MAIN = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dist',
  'queue',
  'worker-main.js',
);

/** The `redis-server` binary on the PATH, or undefined (the tests that need it are skipped). */
export const REDIS_SERVER = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'redis-server'))
  .find((path) => existsSync(path));

/**
 * Why the tests that need a real Redis cannot run here (no redis-server on the PATH), said
 * on the console, or undefined when they can. CI installs redis-server (`.ci/run`).
 */
export function redisUnavailable(suite: string): string | undefined {
  if (REDIS_SERVER !== undefined) return undefined;
  const why =
    'redis-server is not installed (apt-get install redis-server; CI installs it in .ci/run)';
  console.warn(`${suite}: skipped, ${why}`);
  return why;
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of a test. */
export interface TestRedis {
  /** `redis://127.0.0.1:PORT`. */
  url: string;
  /** Stops it (SIGTERM; it keeps nothing: no RDB, no AOF). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/** Waits until `text` appears in what a process wrote to `stream`. */
function waitForOutput(child: ChildProcess, text: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${what} exited (${code}) before '${text}': ${seen}`)),
    );
  });
}

/**
 * Starts redis-server on a free loopback port, without persistence (`--save ''
 * --appendonly no`): a restart loses every job, which the planner must survive.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'repro-redis-'));
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      REDIS_SERVER!,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await waitForOutput(server, 'Ready to accept connections', 'redis-server');
  };
  const stop = async () => {
    const s = server;
    if (!s || s.exitCode !== null || s.signalCode !== null) return;
    const exited = new Promise((resolve) => s.once('exit', resolve));
    s.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start };
}

/** A CLI process of a test, with what it wrote to stderr so far. */
export interface TestProcess {
  /** The process (leader of its own process group). */
  child: ChildProcess;
  /** Its stderr so far. */
  readonly err: string;
  /** Resolves with its exit code (or 128 + signal number). */
  exited: Promise<number>;
  /** Resolves when its stderr matches `pattern`, with the match. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Kills its whole process group (the worker and its sandboxed processors) with SIGKILL. */
  killGroup(): void;
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

/** Starts `node SCRIPT ARGS` in a process group of its own, collecting its stderr. */
export function startCli(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): TestProcess {
  const child = spawn(process.execPath, [script, ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let err = '';
  const waiters: Array<() => void> = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const waiter of [...waiters]) waiter();
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0))),
  );
  return {
    child,
    get err() {
      return err;
    },
    exited,
    waitFor(pattern: RegExp) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = err.match(pattern);
          if (match) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(match);
          }
        };
        waiters.push(check);
        check();
        void exited.then((code) =>
          reject(new Error(`exited (${code}) before stderr matched ${pattern}:\n${err}`)),
        );
      });
    },
    killGroup() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** `pnpm repro ARGS` as a process. */
export function startPlanner(args: string[]): TestProcess {
  return startCli(MAIN, args);
}

/** `pnpm repro-worker --queue URL ARGS` as a process. */
export function startWorker(
  url: string,
  args: string[] = [],
  env: Record<string, string> = {},
): TestProcess {
  return startCli(WORKER_MAIN, ['--queue', url, ...args], env);
}

/** A run record without what differs from one run to another: wall times and dates. */
export function withoutTimes(record: RunRecord) {
  const { trainSeconds: _t, startedAt: _s, finishedAt: _f, ...rest } = record;
  return { ...rest, epochs: record.epochs.map(({ seconds: _e, ...epoch }) => epoch) };
}

/** The run records of an experiment, by file name, without times. */
export function recordsByFile(out: string, experiment: string) {
  const dir = join(out, experiment, 'runs');
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, withoutTimes(JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord)]),
  );
}

/**
 * How often each run was started by a worker, from the workers' logs: trainings from the
 * start and resumptions (with the epoch they resumed after), by `<experiment>/<run>`.
 */
export function trainings(...logs: string[]) {
  const fresh = new Map<string, number>();
  const resumed = new Map<string, number[]>();
  for (const log of logs) {
    for (const [, run] of log.matchAll(/: (\S+\/\S+): training from the start/g)) {
      fresh.set(run!, (fresh.get(run!) ?? 0) + 1);
    }
    for (const [, run, epoch] of log.matchAll(/: (\S+\/\S+): resuming after epoch (\d+)/g)) {
      resumed.set(run!, [...(resumed.get(run!) ?? []), Number(epoch)]);
    }
  }
  return { fresh, resumed };
}
