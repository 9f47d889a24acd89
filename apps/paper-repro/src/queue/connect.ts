import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { QueueAddress } from './queue-url.js';

/**
 * Redis cannot be used at `--queue`: nothing answers, the host is unknown, the credentials
 * are refused, or the server is too old for BullMQ. Found before anything is enqueued or
 * trained: exit 2.
 */
export class QueueUnreachableError extends Error {}

/** How long {@link checkQueue} waits for Redis to answer (ms). */
export const CONNECT_TIMEOUT_MS = 5000;

/** The oldest Redis that BullMQ runs on. */
const MINIMUM_VERSION = [5, 0, 0];

/** What went wrong, in words, from an ioredis or socket error. */
function why(error: unknown, address: QueueAddress): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const { host, port } = address.redis;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing listens on ${host}:${port} (start it: redis-server --port ${port}; or check the address)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host '${host}' is not known`;
    case 'ETIMEDOUT':
      return `no answer from ${host}:${port} in ${CONNECT_TIMEOUT_MS / 1000} s: is it a Redis server?`;
    default:
      if (/^Protocol error/.test(message)) {
        return `what answers on ${host}:${port} is not Redis (${message.replace(/\. Please report this\.$/, '')})`;
      }
      if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
        return `Redis refused the credentials (${message}): give them in the URL, redis://USER:PASSWORD@HOST:PORT`;
      }
      return message;
  }
}

/**
 * Connects to the Redis of `--queue` once and checks it answers (PING) and is a version
 * BullMQ runs on, within `timeoutMs`; returns its version. Called before anything is
 * enqueued or trained, so that a wrong address is one clear error rather than endless
 * reconnecting. The connections that follow ({@link lastingConnection}) reconnect for as long
 * as Redis is away.
 *
 * @throws QueueUnreachableError naming the URL and what went wrong.
 */
export async function checkQueue(
  address: QueueAddress,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<string> {
  const client = new Redis({
    ...address.redis,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // the socket's error says why; connect() itself rejects with "Connection is closed"
  let socketError: unknown;
  client.on('error', (error) => {
    socketError = error;
  });
  const fail = (what: string) =>
    new QueueUnreachableError(`cannot use the queue at ${address.display} (--queue): ${what}`);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      timeoutMs + 1000,
    );
  });
  try {
    const info = await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
        return client.info('server');
      })(),
      deadline,
    ]);
    const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? '0';
    const parts = version.split('.').map(Number);
    const older = MINIMUM_VERSION.findIndex((m, i) => (parts[i] ?? 0) !== m);
    if (older >= 0 && (parts[older] ?? 0) < MINIMUM_VERSION[older]!) {
      throw fail(`Redis ${version} is too old; BullMQ needs ${MINIMUM_VERSION.join('.')} or newer`);
    }
    return version;
  } catch (error) {
    if (error instanceof QueueUnreachableError) throw error;
    throw fail(why(socketError ?? error, address));
  } finally {
    clearTimeout(timer);
    client.disconnect();
    // a server that never answers would keep the half-closed socket, and this process, alive
    client.stream?.destroy();
  }
}

/**
 * Options of the connections that last (the planner's queue, the workers): every command
 * waits while Redis is away (`maxRetriesPerRequest: null`, as BullMQ workers require) and
 * the connection is retried every second or so, at most 5 s apart, for as long as it takes.
 */
export function lastingConnection(address: QueueAddress): BullRedisOptions {
  return {
    ...address.redis,
    maxRetriesPerRequest: null,
    connectTimeout: 10_000,
    retryStrategy: (times: number) => Math.min(1000 * times, 5000),
  };
}

/** Socket error codes that mean the connection to Redis is down (not a failed command). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Whether an error of ioredis or BullMQ says that the connection to Redis is down. */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = error as NodeJS.ErrnoException;
  return (
    (code !== undefined && CONNECTION_CODES.has(code)) ||
    /Connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable/.test(String(message))
  );
}

/** What BullMQ's errors about a job it lost track of mean here. */
function hint(message: string): string {
  if (/^Missing key for job/.test(message)) {
    return ' (Redis lost the job, restarted without its data: the planner enqueues the run again unless it is finished)';
  }
  if (/^Missing lock for job|^could not renew lock for job/.test(message)) {
    return ' (the job was given to another worker while this one was cut off; the run lock in the results directory keeps the run from being trained twice at once)';
  }
  return '';
}

/**
 * Reports the `error` events of a queue or worker: a lost connection once per outage
 * (whatever the number of errors that follow) and once more when it is back; any other
 * error as it comes. Wire `error` to the `error` event and `ready` to the client's `ready`.
 */
export function outageLogger(
  address: QueueAddress,
  log: (line: string) => void,
  who: string,
): { error: (error: Error) => void; ready: () => void } {
  let lost = false;
  return {
    error(error: Error) {
      if (!isConnectionError(error)) {
        log(`${who}: ${error.message}${hint(error.message)}`);
      } else if (!lost) {
        lost = true;
        log(
          `${who}: lost the connection to Redis at ${address.display} (${error.message}); ` +
            'retrying until it is back',
        );
      }
    },
    ready() {
      if (!lost) return;
      lost = false;
      log(`${who}: connected to Redis at ${address.display} again`);
    },
  };
}
