/** Types of scripts/build-server.mjs, for the tests and the bench that run the compiled server. */
export const SERVER_BUILD_DIR: string;
/** The compiled server: `node .server/index.mjs` runs the app. */
export const SERVER_ENTRY: string;
export function serverBuildIsStale(): boolean;
/** Build .server/ when stale (or always with force); resolves with true when it built. */
export function buildServer(options?: { force?: boolean }): Promise<boolean>;
