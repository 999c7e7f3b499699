/**
 * A throw-away PostgreSQL server for tests and benchmarks: `initdb` into a temp directory and
 * `postgres -D DIR -p PORT -h 127.0.0.1 -k DIR` from Debian's package (/usr/lib/postgresql/<v>/bin),
 * trust authentication on loopback for the user `weir`, and a database `weir`.
 *
 * PostgreSQL refuses to run as root: as root, the directory is given to the `postgres` user (the
 * Debian package creates it) and initdb/postgres run through `runuser -u postgres --`. The server's
 * own pid (postmaster.pid) is signalled to stop it, not the runuser wrapper. Durability settings
 * are off (fsync, synchronous_commit): the tests stop the server cleanly, they do not pull the plug.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, serverBinary, waitUntil } from './binary.js';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** `postgresql://weir@127.0.0.1:PORT/weir` */
  readonly url: string;
  /** Runs SQL as the test user (a new connection each call); rows as objects. */
  sql(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Stops the server (fast shutdown), keeping its data. */
  halt(): Promise<void>;
  /** Starts it again on the same port after halt(). */
  resume(): Promise<void>;
  /** halt() then resume(). */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

function candidates(): string[] {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    // no PostgreSQL installed
  }
  return versions.length > 0 ? versions.map((v) => path.join(root, v, 'bin', 'postgres')) : [path.join(root, '<version>', 'bin', 'postgres')];
}

/** The postgres binary, or undefined (skip) locally / a throw in CI (binary.ts). */
export function postgresBinary(): string | undefined {
  return serverBinary('PostgreSQL (postgres)', 'postgresql', candidates());
}

const asRoot = (): boolean => process.getuid?.() === 0;

function command(bin: string, args: readonly string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
}

export async function startPostgres(): Promise<PostgresServer> {
  const postgres = postgresBinary();
  if (!postgres) throw new Error('PostgreSQL is not installed');
  const bin = path.dirname(postgres);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weir-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const [initCmd, initArgs] = command(path.join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'weir', '-E', 'UTF8', '--no-sync', '--locale=C']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const serverPid = (): number | undefined => {
    try {
      return Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };
  const pg = (await import('pg')).default;
  const sql = async (text: string, params: readonly unknown[] = [], database = 'weir'): Promise<Record<string, unknown>[]> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'weir', database, connectionTimeoutMillis: 2_000 });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return (await c.query(text, params as unknown[])).rows as Record<string, unknown>[];
    } finally {
      await c.end().catch(() => undefined);
    }
  };

  const resume = async (): Promise<void> => {
    const running = serverPid();
    if (running !== undefined && isAlive(running)) return;
    const [cmd, args] = command(postgres, ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50']);
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    p.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
    child = p;
    await waitUntil(`postgres on port ${port} (${log})`, async () => {
      if (p.exitCode !== null) throw new Error(`postgres exited: ${log}`);
      await sql('SELECT 1', [], 'postgres');
      return true;
    });
  };

  const halt = async (): Promise<void> => {
    const pid = serverPid();
    const p = child;
    child = undefined;
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGINT'); // fast shutdown: ends the sessions, checkpoints, exits
      await waitUntil('postgres to stop', async () => !isAlive(pid), 20_000);
    }
    if (p && p.exitCode === null && p.signalCode === null) await new Promise((r) => { p.once('exit', r); setTimeout(r, 5_000).unref(); });
  };

  // a test process that dies without its afterAll must not leave the server running
  const onExit = (): void => {
    const pid = serverPid();
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGQUIT');
  };
  process.once('exit', onExit);
  await resume();
  await sql('CREATE DATABASE weir', [], 'postgres');
  return {
    host: '127.0.0.1',
    port,
    database: 'weir',
    user: 'weir',
    url: `postgresql://weir@127.0.0.1:${port}/weir`,
    sql: (text, params) => sql(text, params),
    halt,
    resume,
    restart: async () => {
      await halt();
      await resume();
    },
    stop: async () => {
      process.off('exit', onExit);
      await halt().catch(() => undefined);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
