/** Builds sdk/dist: the ESM bundle and the type declarations. */
export function buildSdk(): Promise<void>;
