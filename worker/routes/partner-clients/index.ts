import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const partnerClientsRouter = createRouter()
  .openapi(routes.createPartnerClient, handlers.createPartnerClient)
  .openapi(routes.listPartnerClients, handlers.listPartnerClients)
  .openapi(routes.getPartnerClient, handlers.getPartnerClient)
  .openapi(routes.revokePartnerClient, handlers.revokePartnerClient);
