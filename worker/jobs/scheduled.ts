import type { Env } from '../env.ts';

/**
 * Cron entry. The benchmark snapshot job lands with the benchmarks; until then each trigger is
 * logged so the schedule can be seen working.
 */
export async function runScheduled(controller: ScheduledController, _env: Env): Promise<void> {
  console.log(
    JSON.stringify({
      level: 'info',
      message: 'scheduled',
      cron: controller.cron,
      scheduledTime: new Date(controller.scheduledTime).toISOString(),
    }),
  );
}
