/** `zod/v4/core` with English as its only locale: see ./index.ts. */
import en from 'zod/v4/locales/en.js';

export * from 'zod/v4/core';
export const locales = { en };
