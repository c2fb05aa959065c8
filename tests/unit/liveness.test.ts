import { afterEach, describe, expect, test, vi } from 'vitest';
import { createApp } from '../../worker/app.ts';
import { createLivenessApp, isLivenessProbe } from '../../worker/routes/health/liveness.ts';
import { nodeEnv } from './env.ts';

afterEach(() => vi.restoreAllMocks());

/** Everything a client sees of an answer but the per-request id. */
async function visible(response: Response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'x-request-id'));
  return { status: response.status, headers, body: await response.text() };
}

// The worker answers GET /health without building the API (index.ts): the answer must be the API's.
describe('liveness probe without the API', () => {
  test.each([
    ['GET', {}],
    ['HEAD', {}],
    ['GET', { 'X-Request-Id': 'trace-1', Origin: 'https://example.com' }],
  ] as const)('%s /health %j answers as the whole API does, log line included', async (method, headers) => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    const light = await createLivenessApp().request('/health', { method, headers }, nodeEnv);
    const full = await createApp().request('/health', { method, headers }, nodeEnv);
    expect(await visible(light)).toEqual(await visible(full));
    // A client's id is echoed, else the server's own.
    if ('X-Request-Id' in headers) expect(light.headers.get('x-request-id')).toBe(full.headers.get('x-request-id'));
    else expect(light.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const [lightLine, fullLine] = lines.map((line) => ({ ...JSON.parse(line), requestId: 'id', durationMs: 0 }));
    expect(lightLine).toEqual(fullLine);
    expect(lightLine).toMatchObject({ route: '/health', status: 200 });
  });

  test('only GET and HEAD of /health take the short way', () => {
    expect(isLivenessProbe(new Request('http://w/health'))).toBe(true);
    expect(isLivenessProbe(new Request('http://w/health', { method: 'HEAD' }))).toBe(true);
    expect(isLivenessProbe(new Request('http://w/health', { method: 'POST' }))).toBe(false);
    expect(isLivenessProbe(new Request('http://w/health/'))).toBe(false);
    expect(isLivenessProbe(new Request('http://w/healthz'))).toBe(false);
    expect(isLivenessProbe(new Request('http://w/ready'))).toBe(false);
  });
});
