import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const targetsRouter = createRouter()
  .openapi(routes.putTargets, handlers.putTargets)
  .openapi(routes.listTargets, handlers.listTargets);
