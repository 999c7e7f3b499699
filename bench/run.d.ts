/** Types of bench/run.js's exports (plain JS). */
export declare function benchScript(query: string): { ddl: string; insert: string };
