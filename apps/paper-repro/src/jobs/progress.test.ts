import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../storage/run-record.js';
import { Progress } from './progress.js';

function sink() {
  const chunks: string[] = [];
  return {
    stream: { write: (s: string) => chunks.push(s), isTTY: false } as unknown as NodeJS.WriteStream,
    chunks,
  };
}

const epoch = (n: number): EpochRecord => ({
  epoch: n,
  trainLoss: 0.5,
  trainAccuracy: 0.9,
  validationLoss: 0.4,
  validationAccuracy: 0.9512,
  testLoss: 0.4,
  testAccuracy: 0.95,
  nTotal: 0.0421,
  nLinear: 0.0421,
  nConv: null,
  activeNeurons: [1],
  l1Norm: 1,
  lambda: 0.1,
  learningRate: 0.1,
  seconds: 7.25,
});

describe('Progress', () => {
  it('plain lines off a terminal: start, one per epoch, the end', () => {
    const { stream, chunks } = sink();
    const progress = new Progress(stream, false);
    progress.handle({
      type: 'start',
      runId: 'sgd-s1',
      experiment: 'fig2',
      epochs: 30,
      fromEpoch: 0,
    });
    progress.handle({ type: 'batch', runId: 'sgd-s1', epoch: 1, batch: 10, batches: 430 });
    progress.handle({ type: 'epoch', runId: 'sgd-s1', record: epoch(1) });
    progress.handle({ type: 'end', runId: 'sgd-s1', status: 'done' });
    expect(chunks).toEqual([
      'fig2/sgd-s1: start, 30 epochs\n',
      'fig2/sgd-s1: epoch 1/30, val 95.12%, non-zero 4.21%, loss 0.5000, 7.3 s\n',
      'fig2/sgd-s1: done — epoch 1/30, val 95.12%, non-zero 4.21%, loss 0.5000, 7.3 s\n',
    ]);
  });

  it('on a terminal: one live bar per active run with epoch, ETA, accuracy and density, redrawn in place', () => {
    const { stream, chunks } = sink();
    const progress = new Progress(stream, true);
    progress.handle({ type: 'start', runId: 'a-s1', experiment: 'fig2', epochs: 4, fromEpoch: 1 });
    progress.handle({ type: 'start', runId: 'b-s1', experiment: 'fig2', epochs: 4, fromEpoch: 0 });
    progress.handle({ type: 'epoch', runId: 'a-s1', record: epoch(2) });
    const screen = chunks.join('');
    expect(screen).toContain(
      'fig2/a-s1 [##########----------] epoch 2/4, val 95.12%, non-zero 4.21%',
    );
    expect(screen).toMatch(/fig2\/b-s1 \[-+\] epoch 0\/4, ETA …/);
    expect(screen).toContain('\x1b[2A\x1b[0J'); // the two bars are redrawn in place
    progress.handle({ type: 'end', runId: 'a-s1', status: 'failed', message: 'loss is NaN' });
    expect(chunks.join('')).toContain('fig2/a-s1: FAILED: loss is NaN');
  });
});
