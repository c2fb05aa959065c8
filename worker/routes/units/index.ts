import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const unitsRouter = createRouter()
  .openapi(routes.createUnit, handlers.createUnit)
  .openapi(routes.listUnits, handlers.listUnits)
  .openapi(routes.getUnit, handlers.getUnit)
  .openapi(routes.updateUnit, handlers.updateUnit)
  .openapi(routes.deleteUnit, handlers.deleteUnit);
