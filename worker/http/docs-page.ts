import { html, raw } from 'hono/html';

/**
 * The /docs page: Scalar's standalone browser bundle (a static asset of this origin) started on the
 * OpenAPI document. Written here rather than taken from `@scalar/hono-api-reference`, whose every
 * release that can set a CSP nonce declares Node >= 22 (README, "Runtime"); the page is only this.
 */
export interface DocsPageOptions {
  title: string;
  /** Where the bundle is served (`/docs/scalar.js`). */
  bundle: string;
  /** The CSP nonce that admits both scripts (security-headers.ts). */
  nonce: string;
  /** Scalar's configuration (`url` of the document and the rest), passed to `createApiReference` as JSON. */
  config: Record<string, unknown>;
}

export function docsPage({ title, bundle, nonce, config }: DocsPageOptions) {
  // JSON inside a <script>: `<` escaped so no string in it can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return html`<!doctype html>
<html>
  <head>
    <title>${title}</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta property="csp-nonce" content="${nonce}" />
  </head>
  <body>
    <div id="app"></div>
    <script src="${bundle}" nonce="${nonce}"></script>
    <script nonce="${nonce}">
      Scalar.createApiReference('#app', ${raw(json)});
    </script>
  </body>
</html>`;
}
