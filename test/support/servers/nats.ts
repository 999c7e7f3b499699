/**
 * A real nats-server with JetStream for the nats connector's tests: started on a free loopback port
 * with its file store in a temp directory, so `restart()` (stop, then start on the same port and
 * directory) keeps the streams and their messages, as a broker restart in production does.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, serverBinary, spawnServer, stopProcess } from './binary.js';

export interface NatsServer {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** stop the server (the store stays); resolves once the process exited */
  stopOnly(): Promise<void>;
  /** start it again on the same port and store (after stopOnly) */
  startAgain(): Promise<void>;
  /** stop and start again with the same port and store */
  restart(): Promise<void>;
  /** stop for good and remove the store */
  stop(): Promise<void>;
}

/** The nats-server binary, or undefined (the suite skips locally; CI fails, see binary.ts). */
export function natsServerBinary(): string | undefined {
  return serverBinary('nats-server', 'nats-server', ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']);
}

export async function startNatsServer(binary: string): Promise<NatsServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'weir-nats-'));
  let proc: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    proc = await spawnServer('nats-server', binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], port);
  };
  const halt = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    await stopProcess(p);
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stopOnly: halt,
    startAgain: start,
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
