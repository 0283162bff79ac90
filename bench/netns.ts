/**
 * A private network namespace for the network cases (bench/README.md, "What a person feels"):
 * only a loopback interface, the server on 127.0.0.1, each phone (or the shared link) on its own
 * loopback address, and HTB classes on `lo` that shape only the traffic of those addresses.
 *
 * Both directions of a loopback connection leave through `lo`'s egress, so one HTB tree sees
 * them all: packets to a phone address are that phone's uplink (phone → server), packets from it
 * its downlink (server → phone). Everything else (the presenter, the server's own connections)
 * matches no filter and passes unshaped.
 *
 * Needs root and iproute2 (`ip`, `tc`). Every namespace made here is removed when the bench ends,
 * with the processes inside it.
 */
import { spawnSync } from 'node:child_process';

export const IPROUTE_INSTALL = 'apt-get install -y iproute2';

/** One shaped address: its rate in each direction. */
export interface ShapedAddress {
  address: string;
  kbit: number;
}

/** Each class's queue, in packets: 120 ms at 100 Mbit/s, where a full link starts dropping. */
export const QUEUE_PACKETS = 1000;

const made = new Set<string>();

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

/** Why the network cases cannot run here, or undefined when they can. */
export function netUnavailable(): string | undefined {
  for (const tool of ['ip', 'tc']) {
    const found = spawnSync(tool, ['-V'], { encoding: 'utf8', timeout: 5_000 });
    if (found.error) return `\`${tool}\` not found: install iproute2 (\`${IPROUTE_INSTALL}\`)`;
  }
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  return undefined;
}

/**
 * A fresh namespace with `lo` up and the given addresses shaped. The MTU and GSO limit are set
 * to an Ethernet frame so the shaper meters wire-sized packets, not 64 KiB loopback segments
 * (one of those would leave a 400 kbit/s class in a single 1.3 s lump).
 */
export function createNamespace(name: string, shaped: ShapedAddress[]): void {
  run('ip', ['netns', 'add', name]);
  made.add(name);
  const ip = (...args: string[]) => run('ip', ['-n', name, ...args]);
  const tc = (...args: string[]) => run('tc', ['-n', name, ...args]);
  ip('link', 'set', 'lo', 'up', 'mtu', '1500');
  ip('link', 'set', 'lo', 'gso_max_size', '1500');
  // Unclassified packets (default 0) bypass the classes: the presenter and the server's own links stay fast.
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '0');
  shaped.forEach(({ address, kbit }, i) => {
    ip('addr', 'add', `${address}/32`, 'dev', 'lo');
    const up = (0x100 + i).toString(16);
    const down = (0x200 + i).toString(16);
    for (const [classId, direction] of [[up, 'dst'], [down, 'src']] as const) {
      tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', `1:${classId}`, 'htb', 'rate', `${kbit}kbit`, 'ceil', `${kbit}kbit`);
      // HTB's default queue, made explicit so it does not follow the device's txqueuelen.
      tc('qdisc', 'add', 'dev', 'lo', 'parent', `1:${classId}`, 'handle', `${classId}:`, 'pfifo', 'limit', String(QUEUE_PACKETS));
      tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'ip', direction, `${address}/32`, 'flowid', `1:${classId}`);
    }
  });
}

/** The shaping as `tc` reports it (kept with the results, so a run says what it ran behind). */
export function describeShaping(name: string): string {
  return run('tc', ['-n', name, 'class', 'show', 'dev', 'lo']).trim();
}

function pidsIn(name: string): number[] {
  const out = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 5_000 }).stdout ?? '';
  return out.split(/\s+/).filter(Boolean).map(Number);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Stop every process still in the namespace (all started by this bench: SIGTERM, so the case can
 * remove its temporary folders, then SIGKILL after 5 s), then remove it. Synchronous, so `exit`
 * handlers can call it.
 */
export function removeNamespace(name: string): void {
  if (!made.has(name)) return;
  signal(pidsIn(name), 'SIGTERM');
  for (let i = 0; i < 25 && pidsIn(name).length > 0; i++) spawnSync('sleep', ['0.2']);
  signal(pidsIn(name), 'SIGKILL');
  spawnSync('ip', ['netns', 'del', name], { timeout: 5_000 });
  made.delete(name);
}

/** Synchronous, for `exit` handlers. */
export function removeAllNamespaces(): void {
  for (const name of [...made]) removeNamespace(name);
}
