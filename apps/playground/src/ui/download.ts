import type { CompactedModel } from '../protocol.js';

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The files of a compacted model, as tfjs's browser download writes them. */
export function modelFiles(model: CompactedModel): { name: string; blob: Blob }[] {
  const base = model.weightsFile.replace(/\.weights\.bin$/, '');
  return [
    { name: `${base}.json`, blob: new Blob([model.modelJson], { type: 'application/json' }) },
    {
      name: model.weightsFile,
      blob: new Blob([model.weights], { type: 'application/octet-stream' }),
    },
  ];
}

/** Downloads the model's two files (`.json` and `.weights.bin`); returns their total bytes. */
export function downloadModel(model: CompactedModel): number {
  const files = modelFiles(model);
  for (const { name, blob } of files) save(blob, name);
  return files.reduce((n, f) => n + f.blob.size, 0);
}
