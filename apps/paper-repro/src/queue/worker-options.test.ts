import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_SECONDS, parseWorkerArgs } from './worker-options.js';

const QUEUE = ['--queue', 'redis://127.0.0.1:6379'];

describe('parseWorkerArgs', () => {
  it('reads every option; --help is undefined', () => {
    expect(
      parseWorkerArgs(
        [
          ...QUEUE,
          '--concurrency',
          '3',
          '--threads=2',
          '--sparse-aware',
          '--lock-seconds',
          '5',
          '--out',
          'shared/results',
          '--data-dir',
          '/tmp',
          '--backend',
          'wasm',
        ],
        '/work',
      ),
    ).toEqual({
      queue: { display: 'redis://127.0.0.1:6379', redis: { host: '127.0.0.1', port: 6379 } },
      concurrency: 3,
      threads: 2,
      sparseAware: true,
      lockSeconds: 5,
      out: '/work/shared/results',
      dataDir: '/tmp',
      backend: 'wasm',
    });
    expect(parseWorkerArgs([...QUEUE, '--help'])).toBeUndefined();
  });

  it('trains on the live units unless --dense-step', () => {
    expect(parseWorkerArgs(QUEUE)?.sparseAware).toBe(true);
    expect(parseWorkerArgs([...QUEUE, '--dense-step'])?.sparseAware).toBe(false);
    expect(() => parseWorkerArgs([...QUEUE, '--dense-step', '--sparse-aware'])).toThrow(
      /--sparse-aware and --dense-step contradict each other/,
    );
  });

  it('shares out the cores as the pool does: a run per core, or cores / --concurrency threads', () => {
    const cores = availableParallelism();
    expect(parseWorkerArgs(QUEUE)).toMatchObject({
      concurrency: cores,
      threads: 1,
      lockSeconds: DEFAULT_LOCK_SECONDS,
    });
    expect(parseWorkerArgs([...QUEUE, '--concurrency', '1'])).toMatchObject({
      concurrency: 1,
      threads: cores,
    });
    expect(parseWorkerArgs([...QUEUE, '--threads', String(cores)])).toMatchObject({
      concurrency: 1,
      threads: cores,
    });
  });

  it.each([
    [[], /--queue URL is required/],
    [['--queue'], /--queue needs a value/],
    [['--queue', 'http://q'], /--queue 'http:\/\/q' is a http: URL, not redis: or rediss:/],
    [[...QUEUE, '--concurrency', '0'], /--concurrency must be an integer ≥ 1, got '0'/],
    [[...QUEUE, '--threads', '1.5'], /--threads must be an integer ≥ 1, got '1.5'/],
    [[...QUEUE, '--lock-seconds', 'soon'], /--lock-seconds must be an integer ≥ 1, got 'soon'/],
    [[...QUEUE, '--out', ''], /--out needs a non-empty path/],
    [[...QUEUE, '--data-dir', '/no/such/dir'], /--data-dir \/no\/such\/dir is not a directory/],
    [[...QUEUE, '--backend', 'gpu'], /unknown backend 'gpu'; allowed: auto, /],
    [[...QUEUE, '--jobs', '2'], /unknown option '--jobs'; see --help/],
    [[...QUEUE, 'fig2'], /unexpected argument 'fig2': the worker takes its runs from the queue/],
    [[...QUEUE, '--help=yes'], /--help takes no value/],
  ])('%j is an error naming the argument and what is allowed', (argv, message) => {
    expect(() => parseWorkerArgs(argv as string[])).toThrow(message);
  });
});
