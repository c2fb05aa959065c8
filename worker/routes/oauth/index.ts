import { bodyLimit } from 'hono/body-limit';
import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';
import { OAuthError } from './token-request.ts';

/** A token request is a few short parameters. */
const TOKEN_REQUEST_MAX_BYTES = 4096;

export const oauthRouter = createRouter();

// Documented like any route, but served without the shared validators, which answer problem+json:
// the handler parses the form itself, and every refusal is an RFC 6749 error.
oauthRouter.openAPIRegistry.registerPath(routes.issueToken);
oauthRouter.post(
  routes.issueToken.path,
  bodyLimit({
    maxSize: TOKEN_REQUEST_MAX_BYTES,
    onError: () => {
      throw new OAuthError('invalid_request', `The body exceeds ${TOKEN_REQUEST_MAX_BYTES} bytes.`);
    },
  }),
  handlers.issueToken,
);
oauthRouter.openapi(routes.getJwks, handlers.getJwks);
oauthRouter.openapi(routes.getAuthorizationServerMetadata, handlers.getAuthorizationServerMetadata);
oauthRouter.onError(handlers.handleOAuthError);
