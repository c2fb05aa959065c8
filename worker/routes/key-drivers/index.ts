import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const keyDriversRouter = createRouter()
  .openapi(routes.getKeyDrivers, handlers.getKeyDrivers)
  .openapi(routes.getRespondentDrivers, handlers.getRespondentDrivers);
