import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const externalRatingsRouter = createRouter()
  .openapi(routes.createExternalRating, handlers.createExternalRating)
  .openapi(routes.createExternalRatingBatch, handlers.createExternalRatingBatch)
  .openapi(routes.listExternalRatings, handlers.listExternalRatings)
  // Before `/{id}`, which would otherwise take `export.csv` for an id.
  .openapi(routes.exportExternalRatings, handlers.exportExternalRatings)
  .openapi(routes.getExternalRating, handlers.getExternalRating)
  .openapi(routes.eraseExternalRatings, handlers.eraseExternalRatings);
