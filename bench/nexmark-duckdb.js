/**
 * Nexmark q0–q23 (q6 with its rownum filter one level out, which Weir runs and Flink refuses) in DuckDB's SQL, and the loader that puts
 * the generator's rows into DuckDB: one module shared by the oracle tests (test/e2e/nexmark-suite.test.ts)
 * and the benchmark (bench/run.js), so that what the tests check is what the benchmark times.
 *
 * Each query is a SELECT over the tables `person`, `auction`, `bid` (the columns of the benchmark's
 * views in ddl_views.sql, the same names) and, for q13, `side_input(key, value)`; its result has
 * the columns of the query's sink table in the sink's order and under the sink's names (INSERT maps
 * by position: q7 writes B.price into the sink's `bidder` column and B.bidder into `price`, so this
 * SELECT does too).
 *
 * The semantics are Flink's, as Weir implements them, spelled out where DuckDB differs:
 * - TUMBLE / HOP windows align to the epoch: `time_bucket(size, ts, TIMESTAMP '1970-01-01')`; a HOP
 *   row belongs to the size/slide windows starting at its slide bucket and the ones before it.
 * - SESSION windows are per key; a row more than `gap` after the previous one of its key starts a new
 *   session (rows exactly `gap` apart are one session); SESSION_END is the last row's time + gap.
 * - PROCTIME() (q12) is a column `p_time` the loader adds (`procTime` option): the time of the
 *   micro-batch that read the row.
 * - AVG of BIGINT is a DOUBLE; the BIGINT sink column takes it rounded to the nearest integer,
 *   ties to even, which is what DuckDB's CAST from DOUBLE to BIGINT does (q4, q17).
 * - REGEXP_EXTRACT is NULL when the pattern does not match (DuckDB's gives ''), SPLIT_INDEX is NULL
 *   past the last part (DuckDB's split_part gives ''), DATE_FORMAT's Java patterns are strftime's.
 * - q14's count_char(s, 'c') counts the occurrences of 'c'.
 * - Rows that tie in a Top-N's order rank in arrival order, as Flink's (and Weir's) Top-N ranks
 *   them: the loader appends events in order, so DuckDB's `rowid` is the arrival order (q19, whose
 *   equal prices are common at the bench's millions of events). A keep-last deduplication (q18:
 *   ORDER BY dateTime DESC, rank 1) keeps the latest of tied rows, as Flink's does: rowid DESC.
 */
/**
 * DuckDB's client, loaded by the loaders when they first run: the bench's Weir child processes read
 * the query texts of this module only, and loading DuckDB's native library there added some 30 MB of
 * RSS at start (73 → 43 MB); the peak of a 2 M-event run moved less (q0: 253 → 250 MB, q7: 519 → 494 MB).
 */
const duckClient = () => import('@duckdb/node-api');

const EPOCH = "TIMESTAMP '1970-01-01'";
const tumble = (ts, size) => `time_bucket(INTERVAL ${size}, ${ts}, ${EPOCH})`;
const SIDE_INPUT = 'side_input';

/** Flink's REGEXP_EXTRACT(s, p, g): NULL when p does not match s. */
const regexpExtract = (s, p, g) => `CASE WHEN regexp_matches(${s}, ${p}) THEN regexp_extract(${s}, ${p}, ${g}) END`;
/** Flink's SPLIT_INDEX(s, d, i) (i from 0): NULL past the last part. */
const splitIndex = (s, d, i) => `string_split(${s}, ${d})[${i + 1}]`;

/** The price bands of q15–q17 (Flink's text, unchanged). */
const RANK1 = 'price < 10000';
const RANK2 = 'price >= 10000 and price < 1000000';
const RANK3 = 'price >= 1000000';
const bidsAndDistinct = `
     count(*) AS total_bids,
     count(*) filter (where ${RANK1}) AS rank1_bids,
     count(*) filter (where ${RANK2}) AS rank2_bids,
     count(*) filter (where ${RANK3}) AS rank3_bids,
     count(distinct bidder) AS total_bidders,
     count(distinct bidder) filter (where ${RANK1}) AS rank1_bidders,
     count(distinct bidder) filter (where ${RANK2}) AS rank2_bidders,
     count(distinct bidder) filter (where ${RANK3}) AS rank3_bidders,
     count(distinct auction) AS total_auctions,
     count(distinct auction) filter (where ${RANK1}) AS rank1_auctions,
     count(distinct auction) filter (where ${RANK2}) AS rank2_auctions,
     count(distinct auction) filter (where ${RANK3}) AS rank3_auctions`;

/** q5's inner query (and the bench's `hop`): bids per auction per 10 s window sliding by 2 s. */
const HOP_COUNTS = `
  SELECT auction, count(*) AS num, ws AS starttime, ws + INTERVAL 10 SECOND AS endtime
  FROM (SELECT auction, unnest(generate_series(${tumble('"dateTime"', '2 SECOND')} - INTERVAL 8 SECOND,
                                               ${tumble('"dateTime"', '2 SECOND')}, INTERVAL 2 SECOND)) AS ws FROM bid)
  GROUP BY auction, ws`;

/** The winning-bid core of q4 and q9: bids inside their auction's lifetime. */
const AUCTION_BIDS = `auction A, bid B WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires`;

/**
 * Per query: the tables it reads and DuckDB's SELECT. Keys are the query files' names (q0 … q23)
 * plus `hop`, the bench's HOP aggregation (q5's inner query), and the bench's over, semi, anti and wtopn.
 */
export const NEXMARK_DUCKDB = {
  q0: { tables: ['bid'], sql: 'SELECT auction, bidder, price, "dateTime", extra FROM bid' },
  q1: {
    tables: ['bid'],
    sql: 'SELECT auction, bidder, CAST(0.908 * price AS DECIMAL(23, 3)) AS price, "dateTime", extra FROM bid',
  },
  q2: { tables: ['bid'], sql: 'SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0' },
  q3: {
    tables: ['person', 'auction'],
    sql: `SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P on A.seller = P.id
          WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,
  },
  q4: {
    tables: ['auction', 'bid'],
    sql: `SELECT Q.category AS id, CAST(AVG(Q.final) AS BIGINT) AS final
          FROM (SELECT MAX(B.price) AS final, A.category FROM ${AUCTION_BIDS} GROUP BY A.id, A.category) Q
          GROUP BY Q.category`,
  },
  q5: {
    tables: ['bid'],
    sql: `WITH AuctionBids AS (${HOP_COUNTS}),
          MaxBids AS (SELECT max(num) AS maxn, starttime, endtime FROM AuctionBids GROUP BY starttime, endtime)
          SELECT AuctionBids.auction, AuctionBids.num FROM AuctionBids JOIN MaxBids
          ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime AND AuctionBids.num >= MaxBids.maxn`,
  },
  // q6 with its rownum filter one level out (the fixture's form): ties in price go to the earlier
  // bid as Weir's Top-N ranks them; AVG is a DOUBLE that the BIGINT sink column rounds (as q4)
  q6: {
    tables: ['auction', 'bid'],
    sql: `SELECT seller, CAST(AVG(price) OVER w AS BIGINT) AS avg_price
          FROM (SELECT A.id, A.seller, B.price, B."dateTime",
                       ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC, B."dateTime" ASC) AS rownum
                FROM ${AUCTION_BIDS}) WHERE rownum <= 1
          WINDOW w AS (PARTITION BY seller ORDER BY "dateTime" ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`,
  },
  q7: {
    tables: ['bid'],
    sql: `SELECT B.auction AS auction, B.price AS bidder, B.bidder AS price, B."dateTime" AS "dateTime", B.extra AS extra
          FROM bid B JOIN (
            SELECT MAX(price) AS maxprice, ws + INTERVAL 10 SECOND AS "dateTime"
            FROM (SELECT price, ${tumble('"dateTime"', '10 SECOND')} AS ws FROM bid) GROUP BY ws
          ) B1 ON B.price = B1.maxprice
          WHERE B."dateTime" BETWEEN B1."dateTime" - INTERVAL 10 SECOND AND B1."dateTime"`,
  },
  q8: {
    tables: ['person', 'auction'],
    sql: `SELECT P.id, P.name, P.starttime AS stime
          FROM (SELECT id, name, ws AS starttime, ws + INTERVAL 10 SECOND AS endtime
                FROM (SELECT id, name, ${tumble('"dateTime"', '10 SECOND')} AS ws FROM person) GROUP BY id, name, ws) P
          JOIN (SELECT seller, ws AS starttime, ws + INTERVAL 10 SECOND AS endtime
                FROM (SELECT seller, ${tumble('"dateTime"', '10 SECOND')} AS ws FROM auction) GROUP BY seller, ws) A
          ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`,
  },
  q9: {
    tables: ['auction', 'bid'],
    sql: `SELECT id, "itemName", description, "initialBid", reserve, "dateTime", expires, seller, category, extra,
                 auction, bidder, price, "bid_dateTime", bid_extra
          FROM (SELECT A.*, B.auction, B.bidder, B.price, B."dateTime" AS "bid_dateTime", B.extra AS bid_extra,
                       ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B."dateTime" ASC) AS rownum
                FROM ${AUCTION_BIDS})
          WHERE rownum <= 1`,
  },
  q10: {
    tables: ['bid'],
    sql: `SELECT auction, bidder, price, "dateTime", extra, strftime("dateTime", '%Y-%m-%d') AS dt, strftime("dateTime", '%H:%M') AS hm
          FROM bid`,
  },
  q11: {
    tables: ['bid'],
    sql: `WITH marked AS (
            SELECT bidder, "dateTime",
                   CASE WHEN "dateTime" - lag("dateTime") OVER (PARTITION BY bidder ORDER BY "dateTime") <= INTERVAL 10 SECOND
                        THEN 0 ELSE 1 END AS starts
            FROM bid),
          sessions AS (
            SELECT bidder, "dateTime", sum(starts) OVER (PARTITION BY bidder ORDER BY "dateTime" ROWS UNBOUNDED PRECEDING) AS session
            FROM marked)
          SELECT bidder, count(*) AS bid_count, min("dateTime") AS starttime, max("dateTime") + INTERVAL 10 SECOND AS endtime
          FROM sessions GROUP BY bidder, session`,
  },
  q12: {
    tables: ['bid'],
    procTime: true,
    sql: `SELECT bidder, count(*) AS bid_count, ws AS starttime, ws + INTERVAL 10 SECOND AS endtime
          FROM (SELECT bidder, ${tumble('p_time', '10 SECOND')} AS ws FROM bid) GROUP BY bidder, ws`,
  },
  q13: {
    tables: ['bid', SIDE_INPUT],
    sql: `SELECT B.auction, B.bidder, B.price, B."dateTime", S."value"
          FROM bid B JOIN side_input S ON mod(B.auction, 10000) = S.key`,
  },
  q14: {
    tables: ['bid'],
    sql: `SELECT auction, bidder, CAST(0.908 * price AS DECIMAL(23, 3)) AS price,
                 CASE
                   WHEN hour("dateTime") >= 8 AND hour("dateTime") <= 18 THEN 'dayTime'
                   WHEN hour("dateTime") <= 6 OR hour("dateTime") >= 20 THEN 'nightTime'
                   ELSE 'otherTime'
                 END AS "bidTimeType",
                 "dateTime", extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
          FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
  },
  q15: {
    tables: ['bid'],
    sql: `SELECT strftime("dateTime", '%Y-%m-%d') AS "day", ${bidsAndDistinct}
          FROM bid GROUP BY strftime("dateTime", '%Y-%m-%d')`,
  },
  q16: {
    tables: ['bid'],
    sql: `SELECT channel, strftime("dateTime", '%Y-%m-%d') AS "day", max(strftime("dateTime", '%H:%M')) AS "minute", ${bidsAndDistinct}
          FROM bid GROUP BY channel, strftime("dateTime", '%Y-%m-%d')`,
  },
  q17: {
    tables: ['bid'],
    sql: `SELECT auction, strftime("dateTime", '%Y-%m-%d') AS "day",
                 count(*) AS total_bids,
                 count(*) filter (where ${RANK1}) AS rank1_bids,
                 count(*) filter (where ${RANK2}) AS rank2_bids,
                 count(*) filter (where ${RANK3}) AS rank3_bids,
                 min(price) AS min_price, max(price) AS max_price,
                 CAST(avg(price) AS BIGINT) AS avg_price, sum(price) AS sum_price
          FROM bid GROUP BY auction, strftime("dateTime", '%Y-%m-%d')`,
  },
  q18: {
    tables: ['bid'],
    sql: `SELECT auction, bidder, price, channel, url, "dateTime", extra
          FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY "dateTime" DESC, rowid DESC) AS rank_number FROM bid)
          WHERE rank_number <= 1`,
  },
  q19: {
    tables: ['bid'],
    sql: `SELECT auction, bidder, price, channel, url, "dateTime", extra, rank_number
          FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, rowid) AS rank_number FROM bid)
          WHERE rank_number <= 10`,
  },
  q20: {
    tables: ['auction', 'bid'],
    sql: `SELECT auction, bidder, price, channel, url, B."dateTime" AS "bid_dateTime", B.extra AS bid_extra,
                 "itemName", description, "initialBid", reserve, A."dateTime" AS "auction_dateTime", expires, seller, category,
                 A.extra AS auction_extra
          FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10`,
  },
  q21: {
    tables: ['bid'],
    sql: `SELECT auction, bidder, price, channel,
                 CASE
                   WHEN lower(channel) = 'apple' THEN '0'
                   WHEN lower(channel) = 'google' THEN '1'
                   WHEN lower(channel) = 'facebook' THEN '2'
                   WHEN lower(channel) = 'baidu' THEN '3'
                   ELSE ${regexpExtract('url', "'(&|^)channel_id=([^&]*)'", 2)}
                 END AS channel_id
          FROM bid
          WHERE ${regexpExtract('url', "'(&|^)channel_id=([^&]*)'", 2)} IS NOT NULL
             OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`,
  },
  q22: {
    tables: ['bid'],
    sql: `SELECT auction, bidder, price, channel,
                 ${splitIndex('url', "'/'", 3)} AS dir1, ${splitIndex('url', "'/'", 4)} AS dir2, ${splitIndex('url', "'/'", 5)} AS dir3
          FROM bid`,
  },
  q23: {
    tables: ['person', 'auction', 'bid'],
    sql: `SELECT bidder, price, channel, url, B.extra AS bid_extra,
                 P.id AS person_id, name, "emailAddress", "creditCard", city, state, P.extra AS person_extra,
                 "itemName", description, "initialBid", reserve, A."dateTime" AS "auction_dateTime", expires, seller, category,
                 A.extra AS auction_extra
          FROM bid B JOIN person P ON P.id = B.bidder JOIN auction A ON A.seller = B.bidder`,
  },
  hop: { tables: ['bid'], sql: HOP_COUNTS },
  semi: {
    tables: ['auction', 'bid'],
    sql: `SELECT B.auction, B.bidder, B.price FROM bid B
          WHERE EXISTS (SELECT * FROM auction A WHERE A.seller = B.bidder AND ${tumble('A."dateTime"', '10 SECOND')} = ${tumble('B."dateTime"', '10 SECOND')})`,
  },
  anti: {
    tables: ['auction', 'bid'],
    sql: `SELECT A.id, A.seller, A.category FROM auction A
          WHERE NOT EXISTS (SELECT * FROM bid B WHERE B.auction = A.id AND ${tumble('B."dateTime"', '10 SECOND')} = ${tumble('A."dateTime"', '10 SECOND')})`,
  },
  wtopn: {
    tables: ['bid'],
    sql: `SELECT window_start, window_end, auction, bidder, price, rn FROM (
            SELECT ws AS window_start, ws + INTERVAL 10 SECOND AS window_end, auction, bidder, price,
                   ROW_NUMBER() OVER (PARTITION BY ws ORDER BY price DESC, bidder, auction) AS rn
            FROM (SELECT *, ${tumble('"dateTime"', '10 SECOND')} AS ws FROM bid))
          WHERE rn <= 3`,
  },
  over: {
    tables: ['bid'],
    sql: `SELECT auction, price, "dateTime", COUNT(*) OVER w AS bids, MAX(price) OVER w AS max_price, AVG(price) OVER w AS avg_price FROM bid
          WINDOW w AS (PARTITION BY auction ORDER BY "dateTime" RANGE BETWEEN INTERVAL 10 SECOND PRECEDING AND CURRENT ROW)`,
  },
};

/** The queries of the suite, in order (q0–q23; q6 with its rownum filter moved one level out). */
export const SUITE_QUERIES = Object.keys(NEXMARK_DUCKDB).filter((q) => /^q\d+$/.test(q));

/**
 * The columns of the person, auction and bid views (ddl_views.sql), in the generator's field order
 * (src/connectors/nexmark/schema.ts): `kind` 'long' (BIGINT), 'time' (TIMESTAMP(3), epoch ms) or 'text'.
 */
export const NEXMARK_COLUMNS = {
  person: [
    ['id', 'long'], ['name', 'text'], ['emailAddress', 'text'], ['creditCard', 'text'], ['city', 'text'], ['state', 'text'],
    ['dateTime', 'time'], ['extra', 'text'],
  ],
  auction: [
    ['id', 'long'], ['itemName', 'text'], ['description', 'text'], ['initialBid', 'long'], ['reserve', 'long'],
    ['dateTime', 'time'], ['expires', 'time'], ['seller', 'long'], ['category', 'long'], ['extra', 'text'],
  ],
  bid: [
    ['auction', 'long'], ['bidder', 'long'], ['price', 'long'], ['channel', 'text'], ['url', 'text'], ['dateTime', 'time'],
    ['extra', 'text'],
  ],
};

const EVENT_TYPE = { person: 0, auction: 1, bid: 2 };
const APPEND_ROWS = 2048;

/** A Utf8 column's strings; one decode of the whole buffer when it is ASCII (the generator's are). */
function utf8Reader(data) {
  const bytes = data.values;
  const offsets = data.valueOffsets;
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) { ascii = false; break; }
  if (ascii) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return (i) => text.slice(offsets[i], offsets[i + 1]);
  }
  const decoder = new TextDecoder();
  return (i) => decoder.decode(bytes.subarray(offsets[i], offsets[i + 1]));
}

/**
 * Load the first `events` events of the generator into DuckDB tables person / auction / bid (only
 * those in `tables`), with the views' columns; `side_input` in `tables` loads sideInputRows().
 *
 * - `generateEvents` and `config`: the generator (src/connectors/nexmark/generator.ts, or its dist/
 *   build) and the NexmarkConfig the Weir run uses, so both engines see the very same rows.
 * - `procTime(eventIndex, eventTimeMs)`: when given, every table gets a TIMESTAMP column `p_time`
 *   with its value for the event (0-based index in the stream), for q12.
 * - Existing tables of these names are replaced. Rows are appended through DuckDB's appender in
 *   data chunks (no SQL text per row), timestamps as epoch ms converted once at the end.
 */
export async function loadNexmark(con, { generateEvents, config, events, tables, procTime, stepEvents = 100_000 }) {
  const duck = await duckClient();
  const wanted = ['person', 'auction', 'bid'].filter((t) => tables.includes(t));
  const select = { person: wanted.includes('person'), auction: wanted.includes('auction'), bid: wanted.includes('bid') };
  const sinks = {};
  for (const t of wanted) {
    const cols = NEXMARK_COLUMNS[t];
    const defs = cols.map(([name, kind]) => `"${name}" ${kind === 'text' ? 'VARCHAR' : 'BIGINT'}`);
    if (procTime) defs.push('p_time BIGINT');
    await con.run(`CREATE OR REPLACE TABLE "${t}_raw" (${defs.join(', ')})`);
    const types = cols.map(([, kind]) => (kind === 'text' ? duck.VARCHAR : duck.BIGINT));
    if (procTime) types.push(duck.BIGINT);
    sinks[t] = { appender: await con.createAppender(`${t}_raw`), types, buffers: types.map(() => []) };
  }
  const flush = (s) => {
    if (s.buffers[0].length === 0) return;
    const chunk = duck.DuckDBDataChunk.create(s.types, s.buffers[0].length);
    chunk.setColumns(s.buffers);
    s.appender.appendDataChunk(chunk);
    for (const b of s.buffers) b.length = 0;
  };
  for (let from = 0; from < events; from += stepEvents) {
    const g = generateEvents(config, from, Math.min(events, from + stepEvents), select);
    const type = g.eventType.values;
    for (const t of wanted) {
      const s = sinks[t];
      const cols = NEXMARK_COLUMNS[t];
      const kids = g[t].children;
      const readers = cols.map(([, kind], k) => (kind === 'text' ? utf8Reader(kids[k]) : ((vals) => (i) => vals[i])(kids[k].values)));
      const timeCol = cols.findIndex(([name]) => name === 'dateTime');
      const code = EVENT_TYPE[t];
      for (let i = 0; i < g.length; i++) {
        if (type[i] !== code) continue;
        for (let k = 0; k < readers.length; k++) s.buffers[k].push(readers[k](i));
        if (procTime) s.buffers[readers.length].push(BigInt(procTime(from + i, Number(kids[timeCol].values[i]))));
        if (s.buffers[0].length === APPEND_ROWS) flush(s);
      }
    }
  }
  for (const t of wanted) {
    const s = sinks[t];
    flush(s);
    s.appender.closeSync();
    const cols = NEXMARK_COLUMNS[t].map(([name, kind]) => (kind === 'time' ? `epoch_ms("${name}") AS "${name}"` : `"${name}"`));
    if (procTime) cols.push('epoch_ms(p_time) AS p_time');
    await con.run(`CREATE OR REPLACE TABLE "${t}" AS SELECT ${cols.join(', ')} FROM "${t}_raw"`);
    await con.run(`DROP TABLE "${t}_raw"`);
  }
  if (tables.includes(SIDE_INPUT)) await loadSideInput(con);
}

/**
 * q13's bounded side input (Flink's `side_input.txt`, a CSV of `key,value`): keys 0–9 999 but the
 * multiples of 5, each with the value `v<key>`, so q13's inner join keeps 4 bids in 5 and drops
 * the others.
 */
export function sideInputRows() {
  const rows = [];
  for (let key = 0; key < 10_000; key++) if (key % 5 !== 0) rows.push({ key, value: `v${key}` });
  return rows;
}

/** sideInputRows() as the CSV text of `side_input.txt` (no header, as Flink's csv format). */
export function sideInputCsv() {
  return sideInputRows().map((r) => `${r.key},${r.value}`).join('\n') + '\n';
}

async function loadSideInput(con) {
  const duck = await duckClient();
  await con.run('CREATE OR REPLACE TABLE side_input (key BIGINT, "value" VARCHAR)');
  const appender = await con.createAppender('side_input');
  const rows = sideInputRows();
  for (let i = 0; i < rows.length; i += APPEND_ROWS) {
    const part = rows.slice(i, i + APPEND_ROWS);
    const chunk = duck.DuckDBDataChunk.create([duck.BIGINT, duck.VARCHAR], part.length);
    chunk.setColumns([part.map((r) => BigInt(r.key)), part.map((r) => r.value)]);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}
