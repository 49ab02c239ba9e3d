// Tiny canvas charts: no library, nothing from the internet. Labels are drawn with fillText (never markup).

const AXIS = '#8a8f98';
const GRID = '#2a2f38';
const FONT = '11px system-ui, sans-serif';

function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  return { ctx, width, height };
}

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

export function formatNumber(v) {
  if (v === null || v === undefined) return '–';
  if (Math.abs(v) >= 1e9) return (v / 1e9).toFixed(1) + 'G';
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + 'M';
  if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(Math.abs(v) < 10 ? 2 : 1)));
}

export function formatMicros(v) {
  if (v === null || v === undefined) return '–';
  if (v >= 1e6) return (v / 1e6).toFixed(2) + ' s';
  if (v >= 1e3) return (v / 1e3).toFixed(2) + ' ms';
  return v.toFixed(0) + ' µs';
}

export function formatBytes(v) {
  if (v === null || v === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + units[i];
}

/**
 * Lines over time. series: [{label, color, points: [{t, v}]}], t in seconds (0 = now, negative = past).
 * spanSeconds fixes the x axis so the chart scrolls as time passes. scale 'log' draws log10(1 + v), so that one
 * spike does not flatten every other point to the axis. The canvas's data-scale and data-span say what is drawn.
 */
export function lineChart(canvas, series, spanSeconds, scale = 'linear') {
  const { ctx, width, height } = prepare(canvas);
  const left = 48, right = 8, top = 8, bottom = 20;
  const plotW = width - left - right, plotH = height - top - bottom;
  let max = 0;
  for (const s of series) {
    for (const p of s.points) if (p.v !== null && p.t >= -spanSeconds) max = Math.max(max, p.v);
  }
  max = niceMax(max);
  const log = scale === 'log';
  canvas.dataset.scale = log ? 'log' : 'linear';
  canvas.dataset.span = String(spanSeconds);
  const fraction = (v) => (log ? Math.log10(1 + v) / Math.log10(1 + max) : v / max);
  const tickValue = (f) => (log ? Math.pow(10, f * Math.log10(1 + max)) - 1 : max * f);
  ctx.strokeStyle = GRID;
  ctx.fillStyle = AXIS;
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + plotW, y); ctx.stroke();
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    ctx.fillText(formatNumber(Number(tickValue(i / 4).toPrecision(2))), left - 6, y);
  }
  ctx.textBaseline = 'top';
  for (let i = 0; i <= 4; i++) {
    const t = -spanSeconds + (spanSeconds * i) / 4;
    ctx.textAlign = i === 0 ? 'left' : i === 4 ? 'right' : 'center';
    ctx.fillText(t === 0 ? 'now' : t + ' s', left + (plotW * i) / 4, top + plotH + 4);
  }
  const x = (t) => left + plotW * (1 + t / spanSeconds);
  const y = (v) => top + plotH - plotH * fraction(v);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let drawing = false;
    for (const p of s.points) {
      if (p.v === null || p.t < -spanSeconds) { drawing = false; continue; }
      if (drawing) ctx.lineTo(x(p.t), y(p.v)); else ctx.moveTo(x(p.t), y(p.v));
      drawing = true;
    }
    ctx.stroke();
  }
}

/** Stacked horizontal-axis bars. bars: [{label, parts: [{value, color}]}]. */
export function stackedBars(canvas, bars, format) {
  const { ctx, width, height } = prepare(canvas);
  const left = 64, right = 8, top = 8, bottom = 20;
  const plotW = width - left - right, plotH = height - top - bottom;
  let max = 0;
  for (const b of bars) max = Math.max(max, b.parts.reduce((sum, p) => sum + p.value, 0));
  max = niceMax(max);
  ctx.strokeStyle = GRID; ctx.fillStyle = AXIS; ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + plotW, y); ctx.stroke();
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    ctx.fillText(format((max * i) / 4), left - 6, y);
  }
  if (bars.length === 0) return;
  const slot = plotW / bars.length;
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  bars.forEach((b, i) => {
    let base = top + plotH;
    const cx = left + slot * i + slot / 2;
    for (const p of b.parts) {
      const h = (plotH * p.value) / max;
      ctx.fillStyle = p.color;
      ctx.fillRect(cx - barW / 2, base - h, barW, h);
      base -= h;
    }
    if (slot >= 24 || i % Math.ceil(24 / slot) === 0) {
      ctx.fillStyle = AXIS; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
      ctx.fillText(b.label, cx, top + plotH + 4);
    }
  });
}
