// HTTP surface of play reporting and listening history (issue 13 §2, ADR 0045). Creators never see who listened:
// no route here names anyone's plays but the caller's own.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  HistoryEntryIdParams,
  HistoryPageSchema,
  HistoryQuerySchema,
  PlayOutcomeSchema,
  PlayReportSchema,
  TrackIdParams,
} from './plays.schemas.ts';
import type { PlaysService } from './plays.service.ts';

const tags = ['plays'];
const authenticated = { tags, security: AUTHENTICATED };

export function registerPlaysRoutes(instance: FastifyInstance, service: PlaysService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/tracks/:id/plays',
    {
      onRequest: signedIn,
      config: { idempotent: true },
      schema: {
        ...authenticated,
        summary: 'Report a play of a track you may hear',
        description:
          'Send it when the listener stops or the track ends, with the seconds actually heard. A play counts ' +
          '(tracks.play_count, trending, your history) from 30 s of listening (half of a track under a minute), once ' +
          'per listener and track per window of 30 minutes or the track’s duration if longer (ADR 0045): a reload ' +
          'loop counts once. 201 when counted, 200 when not (`outcome` says why). With `Idempotency-Key` a retried ' +
          'report is answered from the first.',
        params: TrackIdParams,
        body: PlayReportSchema,
        response: { 200: PlayOutcomeSchema, 201: PlayOutcomeSchema, ...problems(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await service.report(requireCaller(request), request.params.id, request.body);
      return reply.code(outcome.counted ? 201 : 200).send(outcome);
    },
  );

  app.get(
    '/me/history',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Your listening history, newest first',
        description:
          'Your counted plays. An entry whose track you may no longer hear (deleted, made private, unpublished) ' +
          'stays, with `track: null`, so that you can still forget it.',
        querystring: HistoryQuerySchema,
        response: { 200: HistoryPageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.history(requireCaller(request), request.query),
  );

  app.delete(
    '/me/history',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Forget your whole listening history',
        description:
          'Every entry leaves your history and no longer names you; the plays stay counted, anonymous, in play ' +
          'counts and aggregates (ADR 0045). It does not reopen the counting window of a track just played.',
        response: { 204: NoContent, ...problems(401) },
      },
    },
    async (request, reply) => {
      await service.clearHistory(requireCaller(request));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/me/history/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'Forget one entry of your listening history',
        params: HistoryEntryIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.forgetEntry(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
