-- Three declined payments of one card within a minute raise an alert (a process function).
-- Run: weir run examples/fraud/fraud.sql   (reads examples/fraud/payments/*.json)
CREATE FUNCTION decline_alerts AS 'decline-alerts.mjs';

CREATE TABLE payments (
  card STRING,
  amount DOUBLE,
  status STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'payments', 'format' = 'json');

CREATE TABLE alerts (card STRING, alert_time TIMESTAMP(3), declines INT, alert_no INT)
  WITH ('connector' = 'print');

INSERT INTO alerts
SELECT card, alert_time, declines, alert_no
FROM TABLE(decline_alerts(TABLE payments PARTITION BY card));
