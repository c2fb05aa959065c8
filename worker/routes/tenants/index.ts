import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const tenantsRouter = createRouter()
  .openapi(routes.createTenant, handlers.createTenant)
  .openapi(routes.getTenant, handlers.getTenant)
  .openapi(routes.updateTenant, handlers.updateTenant);
