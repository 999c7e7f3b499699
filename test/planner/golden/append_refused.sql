-- include: _nexmark.sql
-- Asking for append mode on an aggregate that never finalizes is refused at the SET.
SET 'output-mode' = 'append';
SELECT channel, count(*) FROM bid GROUP BY channel;
