import { createRouter } from '../../http/router.ts';
import * as handlers from './handlers.ts';
import { documentWebhookEvents } from './events.ts';
import * as routes from './routes.ts';

export const webhookEndpointsRouter = createRouter()
  .openapi(routes.createWebhookEndpoint, handlers.createWebhookEndpoint)
  .openapi(routes.listWebhookEndpoints, handlers.listWebhookEndpoints)
  .openapi(routes.getWebhookEndpoint, handlers.getWebhookEndpoint)
  .openapi(routes.deleteWebhookEndpoint, handlers.deleteWebhookEndpoint)
  .openapi(routes.rotateWebhookSecret, handlers.rotateWebhookSecret)
  .openapi(routes.listWebhookAttempts, handlers.listWebhookAttempts)
  .openapi(routes.updateWebhookEndpoint, handlers.updateWebhookEndpoint)
  .openapi(routes.testWebhookEndpoint, handlers.testWebhookEndpoint)
  .openapi(routes.redeliverWebhook, handlers.redeliverWebhook);

documentWebhookEvents(webhookEndpointsRouter);
