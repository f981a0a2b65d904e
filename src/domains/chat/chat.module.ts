// Wires the chat domain: repositories -> services -> routes, registered under /v1 by the composition root.
// Each part of issue 14 adds its register call here (rooms and messages; direct messages; presence; the gateway).
import type { DomainModule } from '../../app/module-dependencies.ts';
import { registerChatGateway } from './gateway/gateway.module.ts';
import { PasswordHasher } from '../auth/index.ts';
import { createFilesBridge } from '../files/index.ts';
import { notify } from '../notifications/index.ts';
import { accountsNamed, publicNamesOf } from '../profiles/index.ts';
import { isBlockedEitherWay } from '../social/index.ts';
import { registerAttachmentsRoutes } from './attachments.routes.ts';
import { createAttachmentsService } from './attachments.service.ts';
import { createDirectRepository } from './direct.repository.ts';
import { registerDirectRoutes } from './direct.routes.ts';
import { createDirectService } from './direct.service.ts';
import { createMessagesRepository } from './messages.repository.ts';
import { registerMessagesRoutes } from './messages.routes.ts';
import { MessagesService } from './messages.service.ts';
import { registerPresenceRoutes } from './presence.routes.ts';
import { createPresenceService } from './presence.service.ts';
import { createRoomsRepository } from './rooms.repository.ts';
import { memoryRoomPasswordAttempts, redisRoomPasswordAttempts } from './room-password-attempts.ts';
import { registerRoomsRoutes } from './rooms.routes.ts';
import { RoomsService } from './rooms.service.ts';

/** Rooms, messages, direct messages, presence and the real-time gateway (spec §8, issue 14). */
export const chatModule: DomainModule = ({ pool, config, accessTokens, metrics }) => {
  return (app, _options, done) => {
    // Rooms and messages (issue 14 §1-2; ADR 0056, 0057). Wrong room passwords count across instances in Redis.
    const passwordAttempts = config.redis.url
      ? redisRoomPasswordAttempts(config.redis.url, 'veza:')
      : memoryRoomPasswordAttempts();
    app.addHook('onClose', () => passwordAttempts.close());
    const rooms = new RoomsService({
      repository: createRoomsRepository(pool),
      passwords: new PasswordHasher(config.auth.bcryptCost),
      userExists: async (userId) => (await publicNamesOf(pool.db, [userId])).has(userId),
      passwordAttempts,
    });
    registerRoomsRoutes(app, rooms);
    registerMessagesRoutes(
      app,
      new MessagesService({
        repository: createMessagesRepository(pool),
        rooms,
        files: createFilesBridge({ pool, config }),
        accountsNamed: (usernames) => accountsNamed(pool.db, usernames),
        // Mentions become notifications (issue 15 §7), in the message's transaction; one per message mentioned in.
        onMentions: async (_roomId, messageId, userIds, { tx, senderId, content }) => {
          for (const recipientId of userIds)
            await notify(tx, {
              recipientId,
              actorId: senderId,
              type: 'mention',
              entityType: 'message',
              entityId: messageId,
              snippet: content,
            });
        },
      }),
    );
    // Direct messages (issue 14 §3; ADR 0058).
    registerDirectRoutes(app, createDirectService(pool, config));
    // Attachments of room and direct messages, delivered to their readers (ADRs 0057, 0058).
    registerAttachmentsRoutes(
      app,
      createAttachmentsService({
        rooms: rooms.repository,
        messages: createMessagesRepository(pool),
        direct: createDirectRepository(pool),
        files: createFilesBridge({ pool, config }),
        accountExists: async (userId) => (await publicNamesOf(pool.db, [userId])).has(userId),
        isBlockedEitherWay: (a, b) => isBlockedEitherWay(pool.db, a, b),
      }),
    );
    // Presence and typing (issue 14 §5; ADR 0059): Redis with VEZA_REDIS_URL, else the tables. The gateway tells
    // this instance's presence as connections come and go, and renews its leases while they stay.
    const presence = createPresenceService(pool, config);
    app.addHook('onClose', () => presence.close());
    registerPresenceRoutes(app, presence);
    // The real-time gateway (issue 14 §4; ADRs 0054, 0055): GET /v1/chat/socket, fan-out, resume.
    void app.register(async (scope) => {
      await registerChatGateway(scope, { pool, config, accessTokens, metrics }, presence.forInstance());
    });
    done();
  };
};
