/**
 * `zod/v4/core` as the bundle gets it (see ./index.ts): English as its only locale, and without
 * zod's schema compiler (`compile`, `withParser`, `compileFn`, about 31 KiB minified), which
 * reaches the bundle only through the namespace and which this API never calls. The stand-ins
 * throw, so a later use fails loudly in the API tests (they run the bundle), not silently.
 */
import en from 'zod/v4/locales/en.js';
import { notBundled } from './not-bundled.ts';

export * from 'zod/v4/core';
export const locales = { en };

export const compile = notBundled('compile');
export const withParser = notBundled('withParser');
export const compileFn = notBundled('compileFn');
export class ZodCompileAsyncError extends Error {}
export class ZodCompileUnsupportedError extends Error {}
/** The same registered symbol as zod's own. */
export const INVALID = Symbol.for('zod.compile.invalid');
