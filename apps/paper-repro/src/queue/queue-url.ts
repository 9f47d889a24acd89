import type { RedisOptions } from 'bullmq';

/** A `--queue` value that is not a Redis URL this app can use: exit 2, nothing done. */
export class QueueUrlError extends Error {}

/** Where the job queue lives: a parsed, checked `--queue redis://HOST:PORT`. */
export interface QueueAddress {
  /** The URL as messages show it: the password, if any, replaced by `***`. */
  readonly display: string;
  /** How ioredis connects to it (host, port, database, user, password, TLS). */
  readonly redis: Readonly<RedisOptions>;
}

/** The form `--queue` takes, for messages. */
export const QUEUE_URL_FORM = 'redis://[USER:PASSWORD@]HOST[:PORT][/DB] (rediss:// for TLS)';

/** Redis's default port. */
const DEFAULT_PORT = 6379;

/**
 * Parses and checks `--queue`: a `redis://` or `rediss://` (TLS) URL with a host, an
 * optional port (default 6379), an optional database number and optional credentials; no
 * query or fragment. Nothing is connected to here.
 *
 * @throws QueueUrlError naming `--queue`, the value and the form it takes.
 */
export function parseQueueUrl(value: string): QueueAddress {
  const bad = (why: string) =>
    new QueueUrlError(`--queue ${why}; it takes ${QUEUE_URL_FORM}, e.g. redis://127.0.0.1:6379`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const port = /^rediss?:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/.exec(value)?.[1];
    throw bad(
      port !== undefined && Number(port) > 65535
        ? `'${value}': port ${port} is out of range (1–65535)`
        : `'${value}' is not a URL`,
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw bad(`'${value}' is a ${url.protocol.slice(0, -1)}: URL, not redis: or rediss:`);
  }
  if (url.hostname === '') throw bad(`'${value}' names no host`);
  if (url.search !== '' || url.hash !== '') {
    throw bad(`'${value}' has a query or fragment, which is not supported`);
  }
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) {
    throw bad(`'${value}': the path '/${path}' must be a database number, like /0`);
  }
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  if (port < 1) throw bad(`'${value}': port ${port} is out of range (1–65535)`);
  const password = decodeURIComponent(url.password);
  const username = decodeURIComponent(url.username);
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return {
    display: shown.href.replace(/\/$/, ''),
    redis: {
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      ...(path === '' ? {} : { db: Number(path) }),
      ...(username === '' ? {} : { username }),
      ...(password === '' ? {} : { password }),
      ...(url.protocol === 'rediss:' ? { tls: { servername: url.hostname } } : {}),
    },
  };
}
