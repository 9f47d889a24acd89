import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from './queue-url.js';

describe('parseQueueUrl', () => {
  it('reads host, port (default 6379), database, credentials and TLS; hides the password', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6380')).toEqual({
      display: 'redis://127.0.0.1:6380',
      redis: { host: '127.0.0.1', port: 6380 },
    });
    expect(parseQueueUrl('redis://queue.lab').redis).toEqual({ host: 'queue.lab', port: 6379 });
    expect(parseQueueUrl('rediss://ann:s%40cret@q:6390/2')).toEqual({
      display: 'rediss://ann:***@q:6390/2',
      redis: {
        host: 'q',
        port: 6390,
        db: 2,
        username: 'ann',
        password: 's@cret',
        tls: { servername: 'q' },
      },
    });
    expect(parseQueueUrl('redis://[::1]:6379').redis).toMatchObject({ host: '::1' });
  });

  it.each([
    ['localhost:6379', /--queue 'localhost:6379' is a localhost: URL, not redis: or rediss:/],
    ['http://q:6379', /--queue 'http:\/\/q:6379' is a http: URL, not redis: or rediss:/],
    ['6379', /--queue '6379' is not a URL/],
    ['redis://', /--queue 'redis:\/\/' names no host/],
    ['redis://q:0', /port 0 is out of range \(1–65535\)/],
    ['redis://q:70000', /port 70000 is out of range \(1–65535\)/],
    ['redis://q/queue', /the path '\/queue' must be a database number, like \/0/],
    ['redis://q?db=1', /has a query or fragment, which is not supported/],
  ])('%s is an error naming --queue and the form it takes', (value, message) => {
    expect(() => parseQueueUrl(value)).toThrow(message);
    expect(() => parseQueueUrl(value)).toThrow(
      /it takes redis:\/\/\[USER:PASSWORD@\]HOST\[:PORT\]\[\/DB\] \(rediss:\/\/ for TLS\)/,
    );
  });
});
