import { describe, expect, it } from 'vitest';
import { splitCores } from './core-split.js';

describe('splitCores', () => {
  it('as many runs side by side as cores, while the runs are at least as many', () => {
    expect(splitCores(2, 24, {})).toEqual({ jobs: 2, threads: 1 });
    expect(splitCores(16, 16, {})).toEqual({ jobs: 16, threads: 1 });
  });

  it('fewer runs than cores: the cores shared out as threads', () => {
    expect(splitCores(2, 1, {})).toEqual({ jobs: 1, threads: 2 });
    expect(splitCores(16, 3, {})).toEqual({ jobs: 3, threads: 5 });
    expect(splitCores(8, 0, {})).toEqual({ jobs: 1, threads: 8 });
  });

  it('keeps what the user gave, and fills in the other from the cores', () => {
    expect(splitCores(16, 24, { jobs: 4 })).toEqual({ jobs: 4, threads: 4 });
    expect(splitCores(16, 2, { jobs: 4 })).toEqual({ jobs: 4, threads: 8 });
    expect(splitCores(16, 24, { threads: 4 })).toEqual({ jobs: 4, threads: 4 });
    expect(splitCores(2, 24, { threads: 4 })).toEqual({ jobs: 1, threads: 4 });
    expect(splitCores(2, 24, { jobs: 3, threads: 3 })).toEqual({ jobs: 3, threads: 3 });
  });
});
