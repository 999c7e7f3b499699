/**
 * Where a test finds a server binary from Debian (nats-server, redis-server, PostgreSQL), and what it
 * does when there is none: in CI (`CI` set) a missing server is a failure, since `.ci/run` installs
 * them; on a developer's machine the test is skipped with a message naming the package to install.
 */
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** The first of `candidates` that exists, else undefined. */
export function findBinary(candidates: readonly string[]): string | undefined {
  return candidates.find((c) => existsSync(c));
}

/**
 * The binary, or undefined after printing why the tests that need it skip. Throws in CI, where a
 * skipped server test would hide a failure.
 */
export function serverBinary(what: string, debianPackage: string, candidates: readonly string[]): string | undefined {
  const found = findBinary(candidates);
  if (found) return found;
  const msg = `${what} not found (looked at ${candidates.join(', ')}): install Debian's '${debianPackage}' package (apt-get install ${debianPackage}) to run these tests`;
  if (process.env.CI) throw new Error(`${msg}; CI must run them`);
  console.warn(`SKIPPED: ${msg}`);
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the caller binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Poll `ready` until it resolves true, or fail after `timeoutMs` with `what` in the message. */
export async function waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** SIGTERM a server process (SIGKILL after 5 s) and wait for it to exit; nothing when it is not running. */
export async function stopProcess(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Spawn a server and wait until it accepts connections on `port` (failing if it exits first). */
export async function spawnServer(what: string, binary: string, args: readonly string[], port: number,
  ready: () => Promise<boolean> = () => acceptsConnections(port)): Promise<ChildProcess> {
  const p = spawn(binary, [...args], { stdio: 'ignore' });
  let exited = false;
  p.once('exit', () => (exited = true));
  await waitUntil(`${what} on port ${port}`, async () => {
    if (exited) throw new Error(`${what} exited`);
    return ready();
  });
  return p;
}
