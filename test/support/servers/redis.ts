/**
 * A real redis-server for the redis connector's tests: started on a free loopback port with its
 * append-only file in a temp directory, so `restart()` (or `halt()` then `resume()`) keeps the
 * streams, as a server restart in production does.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, serverBinary, spawnServer, stopProcess } from './binary.js';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** stop the server (its data stays); resolves once the process exited */
  halt(): Promise<void>;
  /** start it again on the same port and data (after halt) */
  resume(): Promise<void>;
  restart(): Promise<void>;
  /** stop for good and remove the data */
  stop(): Promise<void>;
}

/** The redis-server binary, or undefined (the suite skips locally; CI fails, see binary.ts). */
export function redisServerBinary(): string | undefined {
  return serverBinary('redis-server', 'redis-server', ['/usr/bin/redis-server', '/usr/local/bin/redis-server']);
}

const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
    s.once('error', () => resolve(false));
  });

export async function startRedisServer(binary: string): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'weir-redis-'));
  let proc: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    proc = await spawnServer('redis-server', binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning'], port, () => answersPing(port));
  };

  const halt = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    await stopProcess(p);
  };

  // a test process that dies without its afterAll must not leave the server behind
  const onExit = (): void => { proc?.kill('SIGKILL'); };
  process.once('exit', onExit);

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    halt,
    resume: async () => { if (!proc) await start(); },
    restart: async () => { await halt(); await start(); },
    stop: async () => {
      await halt();
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
