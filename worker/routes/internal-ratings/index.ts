import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

/** Writes only: individual internal ratings are never read back (no list, get or export route). */
export const internalRatingsRouter = createRouter()
  .openapi(routes.createInternalRating, handlers.createInternalRating)
  .openapi(routes.createInternalRatingBatch, handlers.createInternalRatingBatch);
