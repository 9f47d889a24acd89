/** One line of a chart. */
export interface Series {
  /** The legend's text. */
  label: string;
  /** A CSS colour. */
  color: string;
  /** Points `[x, y]`, x ascending. */
  points: readonly (readonly [number, number])[];
  /** Draw a dot on each point (for sparse series, e.g. once per epoch). */
  dots?: boolean;
}

/** Options of {@link drawChart}. */
export interface ChartOptions {
  /** The title above the plot. */
  title: string;
  /** How tick values of the y axis are written. */
  formatY: (y: number) => string;
  /** The y axis's top; default: the data's maximum plus 10 %. */
  yMax?: number;
}

const PAD = { left: 44, right: 10, top: 22, bottom: 22 };

/**
 * Draws line series over epochs (x from 0 to the largest x, at least 1) on a canvas, with
 * axes, four y ticks and a legend. The canvas keeps its size; it is redrawn from scratch.
 */
export function drawChart(
  canvas: HTMLCanvasElement,
  series: Series[],
  options: ChartOptions,
): void {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context for the chart');
  const { width, height } = canvas;
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const dataMax = Math.max(0, ...all.map((p) => p[1]).filter(Number.isFinite));
  const yMax = options.yMax ?? (dataMax > 0 ? dataMax * 1.1 : 1);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + (x / xMax) * plotW;
  const py = (y: number) => PAD.top + plotH - (Math.min(y, yMax) / yMax) * plotH;

  context.clearRect(0, 0, width, height);
  context.font = '11px system-ui, sans-serif';
  context.fillStyle = '#222';
  context.fillText(options.title, PAD.left, 13);
  context.strokeStyle = '#ddd';
  context.fillStyle = '#666';
  for (let k = 0; k <= 4; k++) {
    const y = (yMax * k) / 4;
    context.beginPath();
    context.moveTo(PAD.left, py(y));
    context.lineTo(width - PAD.right, py(y));
    context.stroke();
    context.fillText(options.formatY(y), 2, py(y) + 4);
  }
  context.fillText(`epoch ${xMax.toFixed(xMax < 10 ? 1 : 0)}`, width - PAD.right - 56, height - 6);
  context.fillText('0', PAD.left, height - 6);

  let legendX = PAD.left + context.measureText(options.title).width + 14;
  for (const s of series) {
    context.strokeStyle = s.color;
    context.fillStyle = s.color;
    context.lineWidth = 1.5;
    context.beginPath();
    s.points.forEach(([x, y], i) => {
      if (i === 0) context.moveTo(px(x), py(y));
      else context.lineTo(px(x), py(y));
    });
    context.stroke();
    if (s.dots) {
      for (const [x, y] of s.points) context.fillRect(px(x) - 2, py(y) - 2, 4, 4);
    }
    context.fillRect(legendX, 6, 10, 3);
    context.fillText(s.label, legendX + 13, 13);
    legendX += 13 + context.measureText(s.label).width + 12;
    context.lineWidth = 1;
  }
}
