// The benchmark's chart: `set` latency (p50 solid, p99 dashed) against throughput, one line per
// system through its concurrency levels, as a standalone SVG. Drawn with Observable Plot; Plot
// needs a DOM, which happy-dom provides outside a browser.

import * as Plot from '@observablehq/plot';
import { Window } from 'happy-dom';
import type { BenchResults } from './results.ts';

interface Point {
  system: string;
  series: string;
  ops: number;
  ms: number;
  label: string;
}

/** An SVG document (a string) of latency against throughput for every system in `r`. */
export function latencyChart(r: BenchResults): string {
  const points: Point[] = r.systems.flatMap((s) =>
    s.set.flatMap((x) => [
      {
        system: s.name,
        series: `${s.name} p50`,
        ops: x.ops_per_s,
        ms: x.p50_ms,
        label: `c=${x.concurrency}`,
      },
      { system: s.name, series: `${s.name} p99`, ops: x.ops_per_s, ms: x.p99_ms, label: '' },
    ]),
  );
  const last = (series: string) => points.filter((p) => p.series === series).at(-1);
  const ends = [...new Set(points.map((p) => p.series))].map(last).filter((p): p is Point => !!p);
  const window = new Window();
  const figure = Plot.plot({
    document: window.document as unknown as Document,
    width: 720,
    height: 470,
    marginRight: 90,
    style: { fontFamily: 'sans-serif', fontSize: '12px', background: 'white' },
    marginTop: 30,
    marginBottom: 64,
    x: { type: 'log', label: 'throughput (writes/s) →', grid: true, nice: true, inset: 12, labelOffset: 34 },
    y: { type: 'log', label: '↑ latency (ms)', grid: true, nice: true, inset: 12, labelOffset: 34 },
    color: { domain: ['raft', 'etcd'], range: ['#d6336c', '#1c7ed6'] },
    marks: [
      ...(['p50', 'p99'] as const).map((q) =>
        Plot.line(
          points.filter((p) => p.series.endsWith(q)),
          {
            x: 'ops',
            y: 'ms',
            z: 'series',
            stroke: 'system',
            strokeDasharray: q === 'p99' ? '4,3' : undefined,
            marker: 'circle',
          },
        ),
      ),
      Plot.text(
        points.filter((p) => p.label),
        { x: 'ops', y: 'ms', text: 'label', dy: 12, fill: 'system' },
      ),
      Plot.text(ends, {
        x: 'ops',
        y: 'ms',
        text: (p: Point) => (p.system === 'raft' ? p.series.replace('raft', 'this project') : p.series),
        dx: 8,
        textAnchor: 'start',
        fill: 'system',
      }),
    ],
  }) as unknown as SVGSVGElement;
  // Plot returns a bare <svg> when there is no title or legend; the title is drawn inside it.
  const svg = figure;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const title = window.document.createElementNS('http://www.w3.org/2000/svg', 'text');
  title.setAttribute('x', '8');
  title.setAttribute('y', '462'); // below the x axis, clear of the y label
  title.setAttribute('text-anchor', 'start');
  title.setAttribute('font-size', '14');
  title.setAttribute('font-weight', 'bold');
  title.textContent = `set: latency (p50 solid, p99 dashed) against throughput, 5 members, fsync on — ${r.date}`;
  svg.appendChild(title as unknown as Node);
  const out = `<?xml version="1.0" encoding="UTF-8"?>\n${svg.outerHTML}\n`;
  window.close();
  return out;
}
