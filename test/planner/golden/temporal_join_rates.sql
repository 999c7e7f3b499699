-- Event-time temporal join (Flink's currency rates), a versioned view, and a window join over window TVFs
CREATE TABLE orders (order_id STRING, price DECIMAL(10, 2), currency STRING, order_time TIMESTAMP(3),
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND) WITH ('connector' = 'memory');
CREATE TABLE currency_rates (currency STRING, conversion_rate DECIMAL(10, 4), update_time TIMESTAMP(3),
  WATERMARK FOR update_time AS update_time, PRIMARY KEY (currency) NOT ENFORCED) WITH ('connector' = 'memory');
CREATE TABLE rates_log (currency STRING, conversion_rate DECIMAL(10, 4), update_time TIMESTAMP(3),
  WATERMARK FOR update_time AS update_time) WITH ('connector' = 'memory');
CREATE VIEW versioned_rates AS SELECT currency, conversion_rate, update_time FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY update_time DESC) AS rownum FROM rates_log) WHERE rownum = 1;
SELECT order_id, price, orders.currency, conversion_rate, order_time
FROM orders LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF orders.order_time ON orders.currency = currency_rates.currency;
SELECT order_id, price * conversion_rate AS converted, order_time
FROM orders JOIN versioned_rates FOR SYSTEM_TIME AS OF orders.order_time AS r ON orders.currency = r.currency AND r.conversion_rate > 0;
SELECT L.order_id, R.order_id, L.window_start, L.window_end
FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE))) L
JOIN (SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE))) R
ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.currency = R.currency;
