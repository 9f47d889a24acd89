// Sparse recovery with LinBreg: the inverse scale space in a few lines.
// Run: pnpm example  (from the repository root)
import * as tf from '@tensorflow/tfjs';
import { sparseRecovery } from './sparse-recovery.js';

await tf.setBackend('cpu');
const { rows, m, n, s } = sparseRecovery();
console.log(`Recovering an ${s}-sparse x* in R^${n} from ${m} Gaussian measurements`);
console.log('LinBreg, J = ℓ1 (λ = 1), δ = 10, τ = 1, from x = 0\n');
console.log('  step   non-zeros   on x* support   relative error');
for (const r of rows) {
  console.log(
    `${String(r.step).padStart(6)}   ${String(r.nonZeros).padStart(9)}   ${String(r.onSupport).padStart(13)}   ${r.relativeError.toExponential(2).padStart(14)}`,
  );
}
console.log("\nThe support grows from empty (inverse scale space) until it is x*'s.");
console.log('(non-zeros: entries above float32 round-off, 1e-4·max|x*|)');
