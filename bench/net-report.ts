/**
 * BENCHMARKS.md's "What a person feels: slow phones and a shared link" section, from a network run
 * (bench/net.ts, bench/results/network.json): prefetch of the next slide off and on, against issue 15's targets.
 */
import type { NetRecord } from './net';
import { sectionStart } from './report';
import type { LinkChange, SharedLinkRecord } from './shared-link';
import type { ColdStartRecord } from './net-cold';
import type { PressSample } from './throttled';
import type { SealedOpenRecord } from './sealed-open';

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'never');
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1000).toFixed(1)} KB` : '–');

/** The prefetch modes a record measured (off, on, or both: then the report says how they were run). */
function prefetchModes(items: ReadonlyArray<{ prefetch?: boolean }>): { modes: boolean[]; both: boolean } {
  const modes = [false, true].filter((on) => items.some((item) => (item.prefetch ?? false) === on));
  return { modes, both: modes.length > 1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
}

/** Per press, the slowest phone: what the last person in the room waited. */
function slowestPerPress(samples: PressSample[], field: 'toImage' | 'toMessage'): number[] {
  const bySlide = new Map<number, number[]>();
  for (const sample of samples) bySlide.set(sample.slide, [...(bySlide.get(sample.slide) ?? []), sample[field] ?? Infinity]);
  return [...bySlide.values()].map((values) => Math.max(...values));
}

function throttledLines(record: NetRecord): string[] {
  const t = record.throttled;
  if (!t) return [];
  const out = ['### Key press → painted, on slow phones', ''];
  out.push(
    `${t.options.phones} phone-emulated Chromium windows (${t.device.width} × ${t.device.height} CSS px, ${t.device.dpr}×, Chromium ${t.browser || '?'}) open the audience page of our production server, each over its own link of ` +
      `${t.options.rttMs} ms round trip and ${t.options.kbit} kbit/s each way (HTTP and WebSocket alike); the presenter window's link is not shaped. ` +
      `${t.options.presses} presses of →, half a second apart once every phone has painted. Key press: the presenter page's \`keydown\`; painted: the Element Timing \`renderTime\` of the new slide's image; message: the slide change frame reaching the page's WebSocket. One browser, one clock.`,
    '',
  );
  if (t.error) return [...out, `**FAILED:** ${t.error.split('\n')[0]}`, ''];
  const { modes, both } = prefetchModes(t.presses);
  if (both) {
    out.push(
      'Prefetch off, then on, in the same run: the same slides as two decks, the first with its keys taken out of deck.json (as a deck rendered before sealing: phones fetch nothing ahead), the second as uploaded. With prefetch on, each press also waits until every phone has the next slide\'s sealed copy (in a talk a slide stays up far longer than that takes).',
      '',
    );
  }
  out.push(`| key press to … |${both ? ' prefetch |' : ''} median, every phone and press | median of the slowest phone per press | worst |`, `|---|${both ? '---|' : ''}---:|---:|---:|`);
  for (const on of modes) {
    const presses = t.presses.filter((p) => (p.prefetch ?? false) === on);
    const images = presses.map((p) => p.toImage);
    const messages = presses.flatMap((p) => (p.toMessage === undefined ? [] : [p.toMessage]));
    const mode = both ? ` ${on ? 'on' : 'off'} |` : '';
    out.push(`| the slide change message on the phone |${mode} ${ms(median(messages))} | ${ms(median(slowestPerPress(presses, 'toMessage')))} | ${ms(Math.max(...messages))} |`);
    out.push(`| the new slide's image painted |${mode} ${ms(median(images))} | ${ms(median(slowestPerPress(presses, 'toImage')))} | ${ms(Math.max(...images))} |`);
  }
  out.push('');
  for (const on of modes) {
    const presses = t.presses.filter((p) => (p.prefetch ?? false) === on);
    const kinds = (kind: PressSample['kind']) => presses.filter((p) => p.kind === kind).map((p) => p.toImage);
    const messages = presses.flatMap((p) => (p.toMessage === undefined ? [] : [p.toMessage]));
    const ratio = median(presses.map((p) => p.toImage)) / median(messages);
    const label = both ? `Prefetch ${on ? 'on' : 'off'}: painted` : 'Painted';
    out.push(`* ${label} ${ratio.toFixed(2)}× the message (median; target ≤ 1.3×), text and chart slides: median ${ms(median(kinds('text and chart')))}; photographs: median ${ms(median(kinds('photo')))}. Variants painted: ${[...new Set(presses.map((p) => p.variant))].join(', ')}.`);
    if (messages.length < presses.length) out.push(`* ${presses.length - messages.length} of ${presses.length} changes reached a page other than over its WebSocket (not timed as messages).`);
  }
  if (t.bytes && t.bytes.off.length && t.bytes.on.length) {
    const perPhone = t.bytes.on.map((on, i) => on / t.bytes!.off[i]!);
    out.push(`* Slide bytes per phone through the ${t.options.presses + 1} slides (as transferred): prefetch off ${t.bytes.off.map(kb).join(', ')}; on ${t.bytes.on.map(kb).join(', ')}: ${perPhone.map((r) => `${r.toFixed(2)}×`).join(', ')} (target ≤ 1.05×).`);
  }
  out.push(`* Opening the audience page over the link took ${t.pageLoads.map((load) => `${(load / 1000).toFixed(1)} s`).join(', ')}.`);
  out.push('');
  return out;
}

/** Issue 15's target: opening a prefetched slide on a phone-emulated Chromium, CPU slowed 4×. */
export const SEALED_OPEN_TARGET_MS = 20;

function openLines(o: SealedOpenRecord | undefined): string[] {
  if (!o) return [];
  const out = ['### Opening a sealed slide, on a slow phone CPU', ''];
  out.push(
    `A phone-emulated Chromium window (Chromium ${o.browser || '?'}) per origin, its CPU slowed ${o.options.cpuSlowdown}× (DevTools), follows a talk of ${o.options.slides} slides of the same deck (every fourth a photograph); each slide is shown once every phone has its sealed copy. ` +
      'Opening: the page\'s `sealed-open` User Timing entry, from the sealed bytes in memory to the plain bytes (bench/sealed-open.ts). localhost is a secure context (WebCrypto); the LAN name over plain http is not (`@noble/ciphers`).',
    '',
  );
  if (o.error) return [...out, `**FAILED:** ${o.error.split('\n')[0]}`, ''];
  out.push('| origin | opened with | slides | target | median | worst | met |', '|---|---|---:|---:|---:|---:|:---:|');
  for (const phone of o.phones) {
    const m = median(phone.times);
    out.push(`| ${phone.origin} | ${phone.secure ? 'WebCrypto' : '@noble/ciphers'} | ${phone.times.length} | ≤ ${SEALED_OPEN_TARGET_MS} ms | ${m.toFixed(1)} ms | ${Math.max(...phone.times).toFixed(1)} ms | ${m <= SEALED_OPEN_TARGET_MS ? 'yes' : '**no**'} |`);
  }
  out.push('');
  const photos = o.kinds.slice(1).map((kind, i) => (kind === 'photo' ? i : -1)).filter((i) => i >= 0);
  for (const phone of o.phones) {
    const photo = photos.map((i) => phone.times[i]!).filter((t) => t !== undefined);
    if (photo.length) out.push(`* ${phone.origin}: photographs ${photo.map((t) => `${t.toFixed(1)} ms`).join(', ')}; every slide in order: ${phone.times.map((t) => t.toFixed(1)).join(', ')} ms.`);
  }
  out.push('');
  return out;
}

/** Issue 13's target for a cold phone at Slow 4G: the first slide painted within 2.5 s. */
export const COLD_SLIDE_TARGET_MS = 2_500;

function coldLines(c: ColdStartRecord | undefined): string[] {
  if (!c) return [];
  const out = ['### Cold first slide, on a slow phone', ''];
  out.push(
    `A cold phone-emulated Chromium window (${c.device.width} × ${c.device.height} CSS px, ${c.device.dpr}×, Chromium ${c.browser || '?'}; a new browser context each time: empty cache, no connection open) opens the audience page during a talk (slide ${c.liveSlide} live) over a link of ` +
      `${c.options.rttMs} ms round trip and ${c.options.kbit} kbit/s each way (Slow 4G; HTTP and WebSocket alike), ${c.options.opens} times one after the other. ` +
      'From the navigation\'s start to the Element Timing `renderTime` of the live slide\'s image, the same "painted" as above. Before and after the page was rendered on the server: [bench/README.md, "Cold first slide"](bench/README.md#cold-first-slide).',
    '',
  );
  if (c.error) return [...out, `**FAILED:** ${c.error.split('\n')[0]}`, ''];
  const slide = median(c.opens.map((o) => o.toSlide));
  const met = slide <= COLD_SLIDE_TARGET_MS ? 'yes' : '**no**';
  out.push('| what | target | measured | met |', '|---|---:|---:|:---:|');
  out.push(`| first slide painted, cold, median of ${c.opens.length} | ≤ ${(COLD_SLIDE_TARGET_MS / 1000).toFixed(1)} s | ${(slide / 1000).toFixed(2)} s (worst ${(Math.max(...c.opens.map((o) => o.toSlide)) / 1000).toFixed(2)} s) | ${met} |`, '');
  out.push(`* Each open, first slide painted: ${c.opens.map((o) => `${(o.toSlide / 1000).toFixed(2)} s`).join(', ')}; variant ${[...new Set(c.opens.map((o) => o.variant))].join(', ')}.`);
  out.push(`* First byte of the HTML median ${ms(median(c.opens.map((o) => o.toFirstByte)))}; first contentful paint median ${ms(median(c.opens.flatMap((o) => (o.toFirstPaint === undefined ? [] : [o.toFirstPaint]))))}; JavaScript transferred before the slide was painted median ${kb(median(c.opens.map((o) => o.scriptBytesBefore)))}.`);
  out.push('');
  return out;
}

/** Issue 15's targets: painted within 1.3× the message, and at most 1.05× the bytes without prefetch. */
export const PAINT_TO_MESSAGE_TARGET = 1.3;
export const PREFETCH_BYTES_TARGET = 1.05;

const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–');
const met = (ok: boolean) => (ok ? 'yes' : '**no**');

function linkLines(record: NetRecord): string[] {
  const s = record.sharedLink;
  if (!s) return [];
  const out = ['### A room on one link', ''];
  out.push(
    `${s.options.phones.toLocaleString('en')} lightweight phones (Node: Bayeux over WebSocket with the acknowledgement extension, as the official CometD client negotiates it; then the image variant the page picks for a ${s.device.width} px, ${s.device.dpr}× screen, over the phone's keep-alive connection) ` +
      `share one link capped at ${s.options.mbit} Mbit/s each way, no added delay. Per change: from just before the presenter's publish (not shaped) until the last phone has the whole image. ` +
      `"Link floor": the image bytes the phones download at the change, at the link's rate, what no server can beat without sending fewer bytes.`,
    '',
  );
  if (s.error) return [...out, `**FAILED:** ${s.error.split('\n')[0]}`, ''];
  const { modes, both } = prefetchModes(s.changes);
  if (both) {
    out.push(
      'Prefetch off, then on, in the same run, as on the slow phones: two decks of the same slides, the first with its keys taken out of deck.json. With prefetch on, a phone fetches the next slide\'s sealed copy 1-3 s after it has the live slide (spread at random over the room, as the page does), and on the change opens it (AES-256-GCM, node:crypto) with the key the change carries: it has the slide once it is opened. Each change also waits until every phone has the next slide\'s sealed copy.',
      '',
    );
  }
  out.push(`${s.joined.toLocaleString('en')} of ${s.options.phones.toLocaleString('en')} phones joined (${s.joinSeconds.toFixed(1)} s; ${s.acknowledged.toLocaleString('en')} with acknowledged delivery).`, '');
  out.push(`| prefetch | last phone, message (median of the changes) | **last phone, whole image** (median) | painted / message | target | met |`, '|---|---:|---:|---:|---:|:---:|');
  for (const on of modes) {
    const changes = s.changes.filter((c) => (c.prefetch ?? false) === on);
    const message = median(changes.map((c) => c.lastMessage));
    const image = median(changes.map((c) => c.lastImage));
    const ratio = image / message;
    out.push(`| ${on ? 'on' : 'off'} | ${ms(message)} | **${ms(image)}** | ${times(ratio)} | ≤ ${PAINT_TO_MESSAGE_TARGET}× | ${met(ratio <= PAINT_TO_MESSAGE_TARGET)} |`);
  }
  out.push('');
  if (both) out.push(crossModeLine(s.changes));
  out.push(...linkBytesLines(s), ...openedLines(s.changes.filter((c) => c.prefetch)));
  if (out.at(-1) !== '') out.push('');
  out.push(`| slide |${both ? ' prefetch |' : ''} kind | variant | image | last phone, message | median phone, image | last phone, image | link floor | TCP retransmits |`, `|---:|${both ? '---|' : ''}---|---|---:|---:|---:|---:|---:|---:|`);
  for (const c of s.changes) out.push(changeRow(c, s.joined, both));
  out.push('');
  return out;
}

/** The early phones' prefetch of the slide after shares the link with the later phones' messages: against the message with prefetch off too. */
function crossModeLine(changes: LinkChange[]): string {
  const lastOf = (on: boolean, field: 'lastImage' | 'lastMessage') => median(changes.filter((c) => (c.prefetch ?? false) === on).map((c) => c[field]));
  const image = lastOf(true, 'lastImage');
  const message = lastOf(false, 'lastMessage');
  return `* Against the message with prefetch off (${ms(message)}: no prefetch of the slide after on the link meanwhile), the last phone's image with prefetch on is ${times(image / message)}.`;
}

/** Bytes per phone, prefetch on over off: the sealed copies replace the plain images, plus their nonce and tag. */
function linkBytesLines(s: SharedLinkRecord): string[] {
  if (!s.bytes || !s.bytes.off.some((b) => b > 0) || !s.bytes.on.some((b) => b > 0)) return [];
  const ratios = s.bytes.on.flatMap((on, i) => (s.bytes!.off[i]! > 0 ? [on / s.bytes!.off[i]!] : []));
  const ratio = median(ratios);
  const slides = s.changes.filter((c) => c.prefetch).length + 1;
  return [`* Slide bytes per phone through the ${slides} slides of each deck (headers and bodies as received): prefetch off median ${kb(median(s.bytes.off))}, on ${kb(median(s.bytes.on))}: ${times(ratio)} (median of the phones; highest ${times(Math.max(...ratios))}; target ≤ ${PREFETCH_BYTES_TARGET}×: ${ratio <= PREFETCH_BYTES_TARGET ? 'met' : '**not met**'}).`];
}

function openedLines(changes: LinkChange[]): string[] {
  if (!changes.length) return [];
  const had = changes.reduce((sum, c) => sum + c.had, 0);
  const sealed = changes.reduce((sum, c) => sum + (c.sealed ?? 0), 0);
  const fellBack = changes.reduce((sum, c) => sum + (c.fellBack ?? 0), 0);
  const opening = changes.flatMap((c) => (c.medianOpenMs === undefined || Number.isNaN(c.medianOpenMs) ? [] : [c.medianOpenMs]));
  return [
    `* Prefetch on: ${sealed.toLocaleString('en')} of ${had.toLocaleString('en')} slides had (phones × changes) were opened from the sealed copy; ${fellBack.toLocaleString('en')} fell back to the plain image (copy late, failed or not opening). ` +
      `Opening one took ${opening.length ? `${median(opening).toFixed(2)} ms` : '–'} (median; all the phones open theirs in one Node process, one after the other).`,
  ];
}

function changeRow(c: LinkChange, joined: number, both: boolean): string {
  const missing = c.had < joined ? ` (${joined - c.had} without${c.errors ? `, ${c.errors} errors` : ''})` : '';
  const mode = both ? ` ${c.prefetch ? 'on' : 'off'} |` : '';
  return `| ${c.slide} |${mode} ${c.kind} | ${c.variant} | ${kb(c.imageBytes)} | ${ms(c.lastMessage)} | ${ms(c.medianImage)} | ${ms(c.lastImage)}${missing} | ${c.linkFloor > 0 ? ms(c.linkFloor) : '–'} | ${c.retransmits?.toLocaleString('en') ?? '–'} |`;
}

export function renderNetSection(record: NetRecord): string {
  const { machine } = record;
  const out: string[] = [sectionStart('network'), '', '## What a person feels: slow phones and a shared link', ''];
  out.push('Sealed prefetch of the next slide (docs/api.md) off and on, in the same run, on slow phones and on a shared link. How the links are made: [bench/README.md, "What a person feels"](bench/README.md#what-a-person-feels-slow-phones-and-a-shared-link).', '');
  out.push(`* **Date:** ${record.date}`);
  out.push(`* **Command:** \`${record.command}\` (took ${record.durationSeconds} s), code ${record.code}`);
  out.push(`* **Machine:** ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}`);
  if (record.error) out.push(`* **FAILED:** ${record.error}`);
  out.push('', ...throttledLines(record), ...linkLines(record), ...coldLines(record.coldStart), ...openLines(record.sealedOpen));
  return `${out.join('\n')}\n`;
}
