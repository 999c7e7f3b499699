/**
 * What the nats connector's tests share: a client of their own (to publish input and read output
 * the way another application would), stream setup, and reading a subject's messages with headers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export interface TestClient {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  close(): Promise<void>;
}

export async function testClient(url: string): Promise<TestClient> {
  const nc = await connect({ servers: url, timeout: 3000, reconnectTimeWait: 250, maxReconnectAttempts: -1 });
  // generous timeouts: the tests may share a loaded machine
  const jsm = await jetstreamManager(nc, { timeout: 15_000 });
  return { nc, js: jetstream(nc, { timeout: 15_000 }), jsm, close: () => nc.close() };
}

let streamCounter = 0;

/** A new stream capturing `<prefix>.>`, named uniquely so tests do not see each other's messages. */
export async function newStream(c: TestClient, opts: { duplicateWindowMs?: number } = {}): Promise<{ stream: string; prefix: string }> {
  const n = ++streamCounter;
  const stream = `S${n}_${process.pid}`;
  const prefix = `t${n}`;
  await c.jsm.streams.add({
    name: stream,
    subjects: [`${prefix}.>`],
    ...(opts.duplicateWindowMs !== undefined ? { duplicate_window: opts.duplicateWindowMs * 1_000_000 } : {}),
  });
  return { stream, prefix };
}

/** Publish each payload (objects as JSON) and wait for all acks; returns their sequences. */
export async function publish(c: TestClient, subject: string, payloads: readonly (string | object)[]): Promise<number[]> {
  const seqs: number[] = [];
  // in slices, so that a big batch does not queue thousands of requests against their timeout
  for (let i = 0; i < payloads.length; i += 1000) {
    const acks = await Promise.all(payloads.slice(i, i + 1000).map((p) => c.js.publish(subject, typeof p === 'string' ? p : JSON.stringify(p))));
    seqs.push(...acks.map((a) => a.seq));
  }
  return seqs;
}

export interface ReadMessage {
  readonly seq: number;
  readonly subject: string;
  readonly text: string;
  readonly headers: Record<string, string>;
}

/** Every message of `stream` on `subject`, in order, with its headers. */
export async function readAll(c: TestClient, stream: string, subject: string): Promise<ReadMessage[]> {
  const info = await c.jsm.streams.info(stream);
  const out: ReadMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await c.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!m || m.subject !== subject) continue;
    const headers: Record<string, string> = {};
    for (const k of m.header?.keys() ?? []) headers[k] = m.header.get(k);
    out.push({ seq: m.seq, subject: m.subject, text: m.string(), headers });
  }
  return out;
}

const tempDirs: string[] = [];

/** A new temp directory (checkpoints, rejected records), removed by removeTempDirs() in afterAll. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
