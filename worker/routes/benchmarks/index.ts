import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const benchmarksRouter = createRouter()
  .openapi(routes.listBenchmarkSnapshots, handlers.listBenchmarkSnapshots)
  .openapi(routes.getBenchmark, handlers.getBenchmark)
  .openapi(routes.getBenchmarkChart, handlers.getBenchmarkChart);
