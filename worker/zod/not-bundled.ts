/** A stand-in for a zod function left out of the worker bundle (see ./index.ts): it throws. */
export function notBundled(name: string) {
  return (): never => {
    throw new Error(`zod's ${name} is left out of the worker bundle (worker/zod/); bundle it again to use it`);
  };
}
