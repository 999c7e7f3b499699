/**
 * The names of the built-in connectors, known without loading them (registry.ts loads them): the
 * engine refuses an application connector of the same name before any query has loaded the registry.
 */
export const BUILTIN_CONNECTOR_NAMES: readonly string[] = ['nexmark', 'filesystem', 'memory', 'print', 'blackhole', 'redis', 'nats', 'jdbc'];
