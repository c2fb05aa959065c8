import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import * as routes from './routes.ts';

export const diagnosticsRouter = createRouter().openapi(routes.getDiagnostics, handlers.getDiagnostics);
