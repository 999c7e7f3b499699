/**
 * The README's fraud example (examples/fraud/decline-alerts.mjs) as a plain JS model over the rows
 * in arrival order, and a generator of payments for it: the process function's output must equal
 * the model's however the rows are split into batches and across restarts.
 */
import { seeded } from './oracle.js';

export interface Payment { card: string; amount: number; status: string; ts: number }
export interface Alert { card: string; alert_time: number; declines: number; alert_no: number }

const MINUTE = 60_000;

/** Three declines of a card within a minute: an alert, and the count starts again. */
export function fraudModel(rows: readonly Payment[]): Alert[] {
  const recentByCard = new Map<string, number[]>();
  const alertsByCard = new Map<string, number>();
  const out: Alert[] = [];
  for (const r of rows) {
    if (r.status !== 'DECLINED') continue;
    const recent = (recentByCard.get(r.card) ?? []).filter((d) => d > r.ts - MINUTE);
    recent.push(r.ts);
    if (recent.length >= 3) {
      const n = (alertsByCard.get(r.card) ?? 0) + 1;
      alertsByCard.set(r.card, n);
      out.push({ card: r.card, alert_time: r.ts, declines: recent.length, alert_no: n });
      recentByCard.set(r.card, []);
    } else {
      recentByCard.set(r.card, recent);
    }
  }
  return out;
}

/**
 * Payments with times moving forward by 0-15 s, each up to 4 s out of order: inside the example's
 * 5 s watermark delay, so no row is ever at or below the watermark when it arrives.
 */
export function payments(count: number, seed: number, start = Date.UTC(2026, 11, 1, 10)): Payment[] {
  const r = seeded(seed);
  let t = start;
  return Array.from({ length: count }, () => {
    t += Math.floor(r() * 15_000);
    return {
      card: `c${Math.floor(r() * 5)}`,
      amount: Math.round(r() * 10_000) / 100,
      status: r() < 0.6 ? 'DECLINED' : 'APPROVED',
      ts: t - Math.floor(r() * 4_000),
    };
  });
}
