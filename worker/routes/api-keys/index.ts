import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const apiKeysRouter = createRouter()
  .openapi(routes.createApiKey, handlers.createApiKey)
  .openapi(routes.listApiKeys, handlers.listApiKeys)
  .openapi(routes.getApiKey, handlers.getApiKey)
  .openapi(routes.revokeApiKey, handlers.revokeApiKey)
  .openapi(routes.rotateApiKey, handlers.rotateApiKey);
