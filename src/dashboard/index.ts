/** The live dashboard and /metrics (README "Dashboard and metrics"). */
export { serveDashboard, DEFAULT_DASHBOARD_PORT } from './server.js';
export type { Dashboard, DashboardOptions } from './server.js';
export type { DashboardHost } from './query-feed.js';
