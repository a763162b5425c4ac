/** Operation ids a generated client reads well (`createSession`, not `SessionsController_create`). */
const NAMED: Record<string, Record<string, string>> = {
  SessionsController: {
    create: 'createSession',
    get: 'getSession',
    remove: 'deleteSession',
    switch: 'switchTurn',
    start: 'startSession',
    pause: 'pauseSession',
    resume: 'resumeSession',
    complete: 'completeSession',
    cancel: 'cancelSession',
    addTime: 'addTime',
  },
  BulkStartController: { startMany: 'startSessions' },
  AuditEventsController: { list: 'listSessionEvents' },
  TimeController: { now: 'getServerTime' },
  HealthController: { live: 'getLiveness', ready: 'getReadiness', details: 'getHealthDetails' },
  MetricsController: { index: 'getMetrics' },
};

/** The named id, else the method and the controller's resource: `listWebhookDeliveries`. */
export function operationId(controllerKey: string, methodKey: string): string {
  const named = NAMED[controllerKey]?.[methodKey];
  if (named !== undefined) return named;
  return `${methodKey}${controllerKey.replace(/Controller$/, '')}`;
}
