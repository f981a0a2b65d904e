// Wires the chat gateway of one instance (ADRs 0054, 0055): the broker VEZA_NATS_URL names (PostgreSQL
// LISTEN/NOTIFY when unset), the hub, the connections' limits, and the route. chat.module.ts registers it.
import type { FastifyInstance } from 'fastify';
import type { ModuleDependencies } from '../../../app/module-dependencies.ts';
import { createAuthenticator } from '../../auth/index.ts';
import type { ChatBroker } from './broker.ts';
import { ChatGateway, type PresenceHooks } from './gateway.ts';
import { registerGatewayRoutes } from './gateway.routes.ts';
import { createNatsBroker } from './nats-broker.ts';
import { createPostgresBroker } from './postgres-broker.ts';
import { DEFAULT_LIMITS, type GatewayLimits } from './protocol.ts';

function brokerFor({ pool, config }: ModuleDependencies): ChatBroker {
  if (config.chat.natsUrl) return createNatsBroker(config.chat.natsUrl, pool);
  return createPostgresBroker(pool.pg.options);
}

export function gatewayLimits(config: ModuleDependencies['config']): GatewayLimits {
  const { natsUrl: _nats, presenceRenewMs: _renew, presenceLeaseMs: _lease, ...limits } = config.chat;
  return { ...DEFAULT_LIMITS, ...limits };
}

/** Builds the gateway, starts its fan-out and serves GET /v1/chat/socket; it stops with the app. */
export async function registerChatGateway(
  app: FastifyInstance,
  deps: ModuleDependencies,
  presence?: PresenceHooks,
): Promise<ChatGateway> {
  const gateway = new ChatGateway({
    ...(presence ? { presence } : {}),
    db: deps.pool.db,
    broker: brokerFor(deps),
    authenticate: createAuthenticator(deps.accessTokens, deps.pool.db),
    limits: gatewayLimits(deps.config),
    log: app.log,
  });
  await registerGatewayRoutes(app, gateway);
  if (deps.metrics) {
    const untrack = deps.metrics.trackWebSocketConnections(() => gateway.connectionCount);
    app.addHook('onClose', (_instance, done) => {
      untrack();
      done();
    });
  }
  await gateway.start();
  return gateway;
}
