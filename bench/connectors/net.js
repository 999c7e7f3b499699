/** What the connector benchmarks share: a free loopback port, waiting for a server on it, rates. */
import { createServer, connect } from 'node:net';

export const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const accepts = (port) => new Promise((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

/** Wait (up to 10 s) until something accepts connections on 127.0.0.1:port. */
export async function waitForPort(port) {
  for (let i = 0; i < 200 && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 50));
}

export const rate = (n, ms) => Math.round(n / (ms / 1000));
export const fmt = (x) => x.toLocaleString('en-US');
