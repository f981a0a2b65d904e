// GET /v1/chat/socket (issue 14 §4, ADR 0055): the WebSocket gateway's one address. The upgrade request carries no
// token in its URL: the client authenticates with its first frame or with the `veza.bearer.<token>` subprotocol.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../../../platform/http/problem.ts';
import { problems } from '../../../platform/http/route-kit.ts';
import { ChatProblems } from '../chat.errors.ts';
import type { ChatGateway } from './gateway.ts';
import { bearerFromProtocols, SUBPROTOCOL } from './protocol.ts';

const description = `WebSocket only (a plain GET answers 426). Authenticate without putting the token in the URL:
either send \`{"type":"auth","token":"<access token>"}\` as the first frame within 10 s, or offer the subprotocols
\`${SUBPROTOCOL}\` and \`veza.bearer.<access token>\` (the server selects \`${SUBPROTOCOL}\`). Then
\`{"type":"subscribe","room_id":…,"since":"<seq>"}\` follows a room you are a member of, replaying what came after
\`since\`; your personal scope (direct messages, personal events) is followed from the start. Frames, close codes and
limits: docs/decisions/0055-chat-websocket-protocol.md.`;

/** Registers the WebSocket plugin in this (chat) context and the gateway's route. */
export async function registerGatewayRoutes(app: FastifyInstance, gateway: ChatGateway): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: gateway.limits.maxFrameBytes,
      // A client offering the bearer subprotocol must also offer ours: answering with the token would echo it
      // into response headers. Offering neither is fine (first-frame authentication).
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    },
    // On close, clients are told to go elsewhere (1001) and resume there.
    preClose: async () => {
      await gateway.close();
    },
  });

  app.route({
    method: 'GET',
    url: '/chat/socket',
    schema: {
      tags: ['chat-realtime'],
      summary: 'Open the chat WebSocket',
      description,
      response: { 101: Type.Null({ description: 'Switching protocols' }), ...problems(426) },
    },
    handler: async (_request, reply) => {
      void reply.header('upgrade', 'websocket');
      throw new ApiError(ChatProblems.upgradeRequired, 'Open this address with a WebSocket client');
    },
    wsHandler: (socket, request) => {
      const offered = request.headers['sec-websocket-protocol'];
      const protocols = typeof offered === 'string' ? offered.split(',').map((p) => p.trim()) : [];
      // A bearer subprotocol that does not authenticate closes the socket at once (4401), like a bad first frame.
      gateway.accept(socket, bearerFromProtocols(protocols));
    },
  });
}
