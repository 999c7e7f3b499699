import { describe, expect, it } from 'vitest';
import { addData, advanceClock, checkAnswer, checkProgress, testStream } from '../support/stream-test.js';

const DDL = `
  CREATE TABLE bids (item STRING, price INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'memory');
`;

describe('embedding API through the stream DSL', () => {
  it('keeps a running aggregate in update mode', async () => {
    await testStream(`${DDL}
      CREATE TABLE top (item STRING, max_price INT, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO top SELECT item, MAX(price), COUNT(*) FROM bids GROUP BY item;`, [
      addData('bids', [{ item: 'lamp', price: 12, ts: 1000 }, { item: 'lamp', price: 30, ts: 2000 }, { item: 'desk', price: 5, ts: 2500 }]),
      checkAnswer('top', [{ item: 'lamp', max_price: 30, n: 2 }, { item: 'desk', max_price: 5, n: 1 }]),
      addData('bids', [{ item: 'desk', price: 50, ts: 3000 }]),
      checkAnswer('top', [{ item: 'lamp', max_price: 30, n: 2 }, { item: 'desk', max_price: 50, n: 2 }]),
      checkProgress((p) => {
        expect(p.numInputRows).toBe(1);
        expect(p.stateOperators[0]!.numRowsTotal).toBe(2);
      }),
    ]);
  });

  it('emits a tumbling window once, after the watermark passes its end', async () => {
    await testStream(`${DDL}
      CREATE TABLE w (window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT) WITH ('connector' = 'memory');
      INSERT INTO w SELECT window_start, window_end, COUNT(*), SUM(price)
        FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`, [
      addData('bids', [{ item: 'a', price: 1, ts: 1000 }, { item: 'b', price: 2, ts: 9000 }]),
      checkAnswer('w', []),
      addData('bids', [{ item: 'c', price: 4, ts: 12000 }]), // watermark 11 s after this batch: window [0,10) closes
      checkAnswer('w', [{ window_start: 0, window_end: 10000, n: 2, total: 3 }]),
      addData('bids', [{ item: 'late', price: 100, ts: 5000 }]),
      checkProgress((p) => expect(p.stateOperators[0]!.numRowsDroppedByWatermark).toBe(1)),
      advanceClock(1000),
      checkAnswer('w', [{ window_start: 0, window_end: 10000, n: 2, total: 3 }]),
    ]);
  });

  it('keeps the state of two queries of one engine apart', async () => {
    await testStream(`${DDL}
      CREATE TABLE a (item STRING, n BIGINT) WITH ('connector' = 'memory');
      CREATE TABLE b (price INT, n BIGINT) WITH ('connector' = 'memory');
      INSERT INTO a SELECT item, COUNT(*) FROM bids GROUP BY item;
      INSERT INTO b SELECT price, COUNT(*) FROM bids GROUP BY price;`, [
      addData('bids', [{ item: 'x', price: 1, ts: 0 }, { item: 'x', price: 2, ts: 0 }]),
      checkAnswer('a', [{ item: 'x', n: 2 }]),
      checkAnswer('b', [{ price: 1, n: 1 }, { price: 2, n: 1 }]),
    ]);
  });
});
