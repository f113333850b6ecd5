// Pictures as inline SVG built with DOM calls (no inline styles, so the page CSP stays strict).
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

// Bipartite network: demand organisations on the left, supply organisations on the right,
// one edge per organisation pair, its width growing with the best score between them.
export function networkSvg(pairs, labels = {}) {
  const left = [...new Set(pairs.map((p) => p.left))];
  const right = [...new Set(pairs.map((p) => p.right))];
  const edges = new Map();
  for (const p of pairs) {
    const key = `${p.left}\u0000${p.right}`;
    const e = edges.get(key) || { left: p.left, right: p.right, score: 0, n: 0 };
    e.score = Math.max(e.score, p.score);
    e.n += 1;
    edges.set(key, e);
  }
  const rows = Math.max(left.length, right.length, 1);
  const W = 720, rowH = 46, H = rows * rowH + 50, xl = 190, xr = W - 190;
  const y = (i, n) => 40 + (i + 0.5) * ((rows * rowH) / n);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
    'aria-label': labels.title || '配对网络' });
  svg.append(s('text', { x: 10, y: 22, 'font-weight': 700 }, labels.left || '需求方'));
  svg.append(s('text', { x: W - 10, y: 22, 'text-anchor': 'end', 'font-weight': 700 },
    labels.right || '供给方'));
  for (const e of edges.values()) {
    const line = s('line', {
      x1: xl, y1: y(left.indexOf(e.left), left.length),
      x2: xr, y2: y(right.indexOf(e.right), right.length),
      class: 'edge', 'stroke-width': (1 + 9 * e.score).toFixed(1),
      'stroke-opacity': (0.35 + 0.6 * e.score).toFixed(2),
    });
    line.append(s('title', {}, `${e.left} — ${e.right}：${e.score.toFixed(3)}（${e.n}）`));
    svg.append(line);
    // Score labels only while they stay legible; the edge's tooltip always has it.
    if (edges.size > 12) continue;
    const mx = (xl + xr) / 2;
    const my = (y(left.indexOf(e.left), left.length) + y(right.indexOf(e.right), right.length)) / 2;
    svg.append(s('text', { x: mx, y: my - 4, 'text-anchor': 'middle', class: 'edge-label' },
      e.score.toFixed(2)));
  }
  left.forEach((name, i) => {
    svg.append(s('circle', { cx: xl, cy: y(i, left.length), r: 7, class: 'node-e' }));
    svg.append(s('text', { x: xl - 12, y: y(i, left.length) + 4, 'text-anchor': 'end' }, clip(name, 14)));
  });
  right.forEach((name, i) => {
    svg.append(s('circle', { cx: xr, cy: y(i, right.length), r: 7, class: 'node-u' }));
    svg.append(s('text', { x: xr + 12, y: y(i, right.length) + 4 }, clip(name, 14)));
  });
  return svg;
}

// Horizontal bars of matched share: one row per key, "matched/total share%".
export function barsSvg(rows, title) {
  const W = 520, rowH = 28, H = rows.length * rowH + 34, x0 = 110, bw = W - x0 - 110;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(s('text', { x: 8, y: 18, 'font-weight': 700 }, title));
  rows.forEach((r, i) => {
    const top = 28 + i * rowH;
    svg.append(s('text', { x: x0 - 8, y: top + 15, 'text-anchor': 'end' }, clip(String(r.key), 9)));
    svg.append(s('rect', { x: x0, y: top + 3, width: bw, height: 16, rx: 3, class: 'bar-bg' }));
    svg.append(s('rect', { x: x0, y: top + 3, width: Math.max(0, bw * r.share), height: 16, rx: 3,
      class: 'bar' }));
    svg.append(s('text', { x: x0 + bw + 8, y: top + 15 },
      `${r.matched}/${r.demands} · ${Math.round(r.share * 100)}%`));
  });
  return svg;
}
