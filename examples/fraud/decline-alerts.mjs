// Fraud alerts as a Weir process function: three declined payments of one card within a minute
// raise an alert. Called as TABLE(decline_alerts(TABLE payments PARTITION BY card)); state and
// timers are per card. README "Process functions" explains the ctx calls.
const MINUTE = 60_000;

export default {
  kind: 'process',
  returns: 'alert_time TIMESTAMP(3), declines INT, alert_no INT',

  process(row, ctx) {
    if (row.status !== 'DECLINED') return;
    const t = ctx.timestamp;
    const declines = ctx.state.list('declines');
    // the declines within the minute up to this one (rows may arrive a little out of order)
    const recent = declines.get().filter((d) => d > t - MINUTE);
    recent.push(t);
    if (recent.length >= 3) {
      const n = (ctx.state.value('alerts') ?? 0) + 1;
      ctx.state.update('alerts', n);
      ctx.emit({ alert_time: t, declines: recent.length, alert_no: n });
      declines.clear(); // the next alert needs three new declines
    } else {
      declines.update(recent);
      // forget these declines once the watermark is a minute past them
      ctx.timers.registerEventTime(t + MINUTE);
    }
  },

  onTimer(timeMs, ctx) {
    const declines = ctx.state.list('declines');
    const left = declines.get().filter((d) => d > timeMs - MINUTE);
    if (left.length === 0) declines.clear();
    else declines.update(left);
  },
};
