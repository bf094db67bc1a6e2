/** A DET curve (FNIR against FPIR, both on log axes) as a standalone SVG, default threshold marked. */

export interface DetSeries {
  label: string;
  points: { fpir: number; fnir: number }[];
  marker?: { fpir: number; fnir: number; label: string };
}

const W = 640,
  H = 480,
  L = 70,
  R = 20,
  T = 40,
  B = 60;
const X_MIN = 1e-3,
  X_MAX = 1,
  Y_MIN = 1e-2,
  Y_MAX = 1;

const x = (v: number) =>
  L +
  ((Math.log10(Math.min(Math.max(v, X_MIN), X_MAX)) - Math.log10(X_MIN)) / (Math.log10(X_MAX) - Math.log10(X_MIN))) *
    (W - L - R);
const y = (v: number) =>
  T +
  (1 -
    (Math.log10(Math.min(Math.max(v, Y_MIN), Y_MAX)) - Math.log10(Y_MIN)) / (Math.log10(Y_MAX) - Math.log10(Y_MIN))) *
    (H - T - B);
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

export function detSvg(title: string, series: DetSeries[]): string {
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  for (const v of [1e-3, 1e-2, 1e-1, 1]) {
    parts.push(`<line x1="${x(v)}" y1="${T}" x2="${x(v)}" y2="${H - B}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`);
  }
  for (const v of [1e-2, 1e-1, 1]) {
    parts.push(`<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 20}" text-anchor="middle">FPIR (strangers matched to someone)</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">FNIR (enrolled people missed)</text>`,
  );
  series.forEach((s, k) => {
    const colour = colours[k % colours.length]!;
    const pts = s.points.filter((p) => p.fpir > 0).map((p) => `${x(p.fpir).toFixed(1)},${y(p.fnir).toFixed(1)}`);
    if (pts.length > 0)
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>`);
    parts.push(
      `<text x="${W - R - 8}" y="${T + 18 + 16 * k}" text-anchor="end" fill="${colour}">${esc(s.label)}</text>`,
    );
    if (s.marker) {
      parts.push(
        `<circle cx="${x(s.marker.fpir)}" cy="${y(s.marker.fnir)}" r="5" fill="none" stroke="${colour}" stroke-width="2"/>`,
      );
      parts.push(
        `<text x="${x(s.marker.fpir) + 8}" y="${y(s.marker.fnir) - 8}" fill="${colour}">${esc(s.marker.label)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
