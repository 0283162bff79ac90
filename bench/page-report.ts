/**
 * BENCHMARKS.md's "The audience page on a phone" section, from a page run (bench/page.ts,
 * bench/results/page.json): the three page targets checked, then the figures behind them.
 */
import { PAGE_TARGETS, PRESSES, summarise, type PageRecord } from './page';
import { sectionStart } from './report';

const kb = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? '–' : `${(bytes / 1000).toFixed(1)} KB`);
const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(0)} ms`);
const met = (ok: boolean) => (ok ? 'yes' : '**no**');

export function renderPageSection(record: PageRecord): string {
  const { machine } = record;
  const out: string[] = [sectionStart('page'), '', '## The audience page on a phone', ''];
  out.push(
    `A phone-emulated Chromium window (${record.device.width} × ${record.device.height} CSS px, ${record.device.dpr}× screen, touch, an iPhone's user agent) opens the audience page of our production server; ` +
      `a presenter window signed in through the printed link presses → ${PRESSES} times through a deck uploaded as presentation programs export it (1920 × 1080 PNGs; every fourth slide a photograph, synthetic: smooth colour and fine grain; the others text and a bar chart). ` +
      'KB = 1,000 bytes. JavaScript: every script the page loads, gzip\'d at zlib\'s default level (our server sends them gzip\'d; the `noModule` polyfills are not loaded by current phones). ' +
      'Per slide: the slide image the phone picked from the srcset, as transferred. Key press to paint: from the presenter page\'s `keydown` to the Element Timing `renderTime` of the new slide\'s image on the phone (one browser, one clock).',
    '',
  );
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  out.push(`* **Machine:** ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}, Chromium ${record.browser || '?'}`);
  if (record.error) {
    out.push(`* **FAILED:** ${record.error.split('\n')[0]}`, '');
    return `${out.join('\n')}\n`;
  }
  out.push('');
  const s = summarise(record);
  out.push('| what | target | measured | met |', '|---|---:|---:|:---:|');
  out.push(`| audience page JavaScript, gzip | < ${PAGE_TARGETS.jsGzipKB} KB | ${kb(s.jsGzip)} (${record.page.scripts.length} files; ${kb(s.jsBytes)} uncompressed) | ${met(s.jsGzip < PAGE_TARGETS.jsGzipKB * 1000)} |`);
  out.push(`| bytes per slide, ${record.device.width} px wide ${record.device.dpr}× phone | < ${PAGE_TARGETS.slideKB} KB | median ${kb(s.slideMedian)}, largest ${kb(s.slideMax)} (${s.variants.join(', ')}) | ${met(s.slideMax < PAGE_TARGETS.slideKB * 1000)} |`);
  out.push(`| key press to the new slide painted, median of ${record.paints.length} | < ${PAGE_TARGETS.keyToPaintMs} ms | ${ms(s.paintMedian)} (p90 ${ms(s.paintP90)}, worst ${ms(s.paintMax)}) | ${met(s.paintMedian < PAGE_TARGETS.keyToPaintMs)} |`);
  out.push('');
  if (s.jsGzip >= PAGE_TARGETS.jsGzipKB * 1000) {
    out.push('What the JavaScript is, and why it stays above the target: [bench/README.md, "Why the missed targets are missed"](bench/README.md#why-the-missed-targets-are-missed).', '');
  }
  out.push('What the page loads before the first slide (gzip at the default level):', '');
  out.push(`* HTML ${kb(s.htmlGzip)}, CSS ${kb(s.cssGzip)}, JavaScript ${kb(s.jsGzip)} (as transferred: ${kb(s.jsTransferred)}).`);
  out.push(`* Scripts, largest first: ${[...record.page.scripts].sort((a, b) => b.gzip - a.gzip).map((file) => kb(file.gzip)).join(', ')}.`);
  out.push('');
  out.push('Per slide change on the phone:', '');
  out.push(`* Image: text and chart slides median ${kb(s.textMedian)}, photographs median ${kb(s.photoMedian)}; the slide change message itself ${kb(s.messageMedian)} (WebSocket frames received, median).`);
  out.push(`* Key press to the page showing the new slide (DOM committed) median ${ms(s.domMedian)}; to the blurred placeholder painted ${ms(s.placeholderMedian)}; to the image painted ${ms(s.paintMedian)}.`);
  out.push(`* Each press, key press to image painted: ${record.paints.map((p) => p.toImage.toFixed(0)).join(', ')} ms.`);
  out.push('');
  return `${out.join('\n')}\n`;
}
