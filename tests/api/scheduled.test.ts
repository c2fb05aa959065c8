import { expect, test } from 'vitest';
import { api } from './helpers.ts';

test('the cron trigger runs the scheduled handler without error', async () => {
  const response = await api(`/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('15 2 * * *')}`);
  expect(response.status).toBe(200);
});
