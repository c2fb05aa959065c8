import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const heatmapRouter = createRouter().openapi(routes.getHeatmap, handlers.getHeatmap).openapi(routes.getHeatmapChart, handlers.getHeatmapChart);
