// Wires the notifications domain (issue 15 §7): its routes under /v1/me/notifications. Creation is called by the
// domains whose actions cause notifications (index.ts: notify, retractNotification, forgetNotificationsBetween);
// live delivery rides the chat gateway's personal scope (ADR 0067).
import type { DomainModule } from '../../app/module-dependencies.ts';
import { registerNotificationsRoutes } from './notifications.routes.ts';
import { createNotificationsService } from './notifications.service.ts';

export const notificationsModule: DomainModule = ({ pool }) => {
  return (app, _options, done) => {
    registerNotificationsRoutes(app, createNotificationsService(pool.db));
    done();
  };
};
