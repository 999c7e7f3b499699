#!/usr/bin/env node
/**
 * Weir in a service: events POSTed in, a continuous windowed query, results served and streamed.
 *
 *   node examples/service.mjs            # PORT (default 8080; 0 picks a free one), on 127.0.0.1
 *
 *   POST /events          a JSON array (or one object a line) of {user, amount, ts}; answered once
 *                         the rows are taken (write() waits while the queries are behind: back-pressure
 *                         reaches the HTTP client instead of growing the heap)
 *   GET  /totals          every user's running total (update mode: the current table by key)
 *   GET  /windows         server-sent events: one `window` event per closed 10-second window per user
 *   GET  /health          the queries' last progress
 *
 * With DATABASE_URL=postgresql://user:password@host:port/db the running totals are also upserted
 * into the PostgreSQL table user_totals (made if missing), exactly once per micro-batch.
 *
 * Memory stays flat however long it runs: pushed rows go once both queries committed them, and the
 * window results are released as the stream reader takes them (see README "Bounded memory").
 */
import * as http from 'node:http';
import { Engine } from 'weir-sql';

const engine = new Engine();
const queries = [];
queries.push(...await engine.execute(`
  CREATE TABLE events (
    \`user\` STRING, amount DOUBLE, ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
  ) WITH ('connector' = 'memory');

  CREATE TABLE per_window (\`user\` STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total DOUBLE)
    WITH ('connector' = 'memory');
  CREATE TABLE totals (\`user\` STRING, n BIGINT, total DOUBLE, PRIMARY KEY (\`user\`) NOT ENFORCED)
    WITH ('connector' = 'memory');

  INSERT INTO per_window
  SELECT \`user\`, window_start, window_end, COUNT(*), SUM(amount)
  FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY \`user\`, window_start, window_end;

  INSERT INTO totals SELECT \`user\`, COUNT(*), SUM(amount) FROM events GROUP BY \`user\`;
`));

// the same totals into PostgreSQL, through the jdbc connector (the table must exist, as in Flink)
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query('CREATE TABLE IF NOT EXISTS user_totals ("user" TEXT PRIMARY KEY, n BIGINT NOT NULL, total DOUBLE PRECISION NOT NULL)');
  await db.end();
  const quoted = databaseUrl.replaceAll("'", "''");
  queries.push(...await engine.execute(`
    CREATE TABLE pg_totals (\`user\` STRING, n BIGINT, total DOUBLE, PRIMARY KEY (\`user\`) NOT ENFORCED)
      WITH ('connector' = 'jdbc', 'url' = '${quoted}', 'table-name' = 'user_totals');
    INSERT INTO pg_totals SELECT \`user\`, COUNT(*), SUM(amount) FROM events GROUP BY \`user\`;`));
}

// one reader of the window results fans them out to every connected SSE client
const clients = new Set();
const fanOut = (async () => {
  for await (const change of engine.output('per_window').stream()) {
    const data = JSON.stringify({ ...change.row, window_start: iso(change.row.window_start), window_end: iso(change.row.window_end), batchId: change.batchId });
    for (const res of clients) res.write(`event: window\ndata: ${data}\n\n`);
  }
})();

function iso(ms) {
  return new Date(Number(ms)).toISOString();
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > 16 * 2 ** 20) throw Object.assign(new Error('body over 16 MB'), { status: 413 });
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text);
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

const server = http.createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/events') {
      const rows = await readBody(req);
      await engine.input('events').write(rows); // waits while the queries are behind
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: rows.length }));
    } else if (req.method === 'GET' && req.url === '/totals') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(engine.output('totals').rows()));
    } else if (req.method === 'GET' && req.url === '/windows') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else if (req.method === 'GET' && req.url === '/health') {
      const status = queries.map((q) => ({ name: q.name, active: q.isActive, batchId: q.lastProgress?.batchId ?? null, watermark: q.lastProgress?.eventTime?.watermark ?? null }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    } else {
      res.writeHead(404).end();
    }
  } catch (e) {
    // a malformed body or a row Weir cannot read (WeirError 'INPUT' names the row and column)
    res.writeHead(e.status ?? 400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message }));
  }
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`weir service listening on http://127.0.0.1:${port}`);
});

async function shutdown() {
  server.close();
  for (const res of clients) res.end();
  await engine.stop(); // every query commits its batch in flight; the stream reader ends
  await fanOut;
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
