import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const adminRouter = createRouter()
  .openapi(routes.runBenchmarks, handlers.runBenchmarks)
  .openapi(routes.getJobRun, handlers.getJobRun)
  .openapi(routes.listJobRuns, handlers.listJobRuns)
  .openapi(routes.listOperatorAuditEvents, handlers.listOperatorAuditEvents);
