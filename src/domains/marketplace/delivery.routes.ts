// HTTP surface of delivery (issue 16 §8, ADRs 0075, 0076): the buyer's purchases, download links and downloads,
// the PDF certificate, and the public, rate-limited verification of licence keys. Routes validate, call one
// service method; who may is delivery.policy.ts's.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, problems, signedIn } from '../../platform/http/route-kit.ts';
import { sendDelivery } from '../files/index.ts';
import {
  DownloadLinkSchema,
  DownloadQuery,
  PurchaseDetailSchema,
  PurchaseFileParams,
  PurchasePageSchema,
  PurchaseParams,
  VerificationSchema,
  VerifyQuery,
} from './delivery.schemas.ts';
import type { DeliveryService } from './delivery.service.ts';

const tags = ['marketplace-purchases'];
const authenticated = { tags, security: AUTHENTICATED };
const PageQuery = { ...PageQuerySchema, additionalProperties: false };
const RangeHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
const Bytes = {
  description: 'The file bought (206: the one range asked for)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified', type: 'null' };
const Pdf = {
  description: 'The licence certificate',
  content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
};
const REVOKED = 'A refunded purchase: 403 `PURCHASE_REVOKED`.';
const NOT_YOURS = "Someone else's purchase, or a line of an unpaid order: 404 `PURCHASE_NOT_FOUND`.";

export function registerDeliveryRoutes(instance: FastifyInstance, service: DeliveryService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/purchases',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'What you bought: the lines of your paid orders, newest first, with their licence keys',
        description: 'Refunded purchases stay listed with `access: revoked` and no files.',
        querystring: PageQuery,
        response: { 200: PurchasePageSchema, ...problems(400, 401) },
      },
    },
    (request) => service.purchases(requireCaller(request), request.query),
  );

  app.get(
    '/me/purchases/:id',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'One of your purchases, with its files',
        description: NOT_YOURS,
        params: PurchaseParams,
        response: { 200: PurchaseDetailSchema, ...problems(400, 401, 404) },
      },
    },
    (request) => service.purchase(requireCaller(request), request.params.id),
  );

  app.post(
    '/me/purchases/:id/files/:file_id/link',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'A short-lived signed link that downloads one file of your purchase',
        description:
          'The link works without a token (a browser download, a download manager) for five minutes, while the ' +
          `purchase is not refunded; each download from the first byte counts once. ${NOT_YOURS} A file the ` +
          `purchase does not include: 404 \`PURCHASE_FILE_NOT_FOUND\`. ${REVOKED}`,
        params: PurchaseFileParams,
        response: { 201: DownloadLinkSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await service.downloadLink(requireCaller(request), request.params.id, request.params.file_id)),
  );

  app.get(
    '/purchases/:id/files/:file_id',
    {
      schema: {
        tags,
        summary: 'Download a file bought, through a signed link',
        description:
          'Only through a link from POST /v1/me/purchases/{id}/files/{file_id}/link: a forged or expired one is 403 ' +
          '`DOWNLOAD_LINK_INVALID`. Served as an attachment, with ranges to resume, never kept by shared caches. ' +
          `${REVOKED} HEAD answers the same headers and is not counted.`,
        params: PurchaseFileParams,
        querystring: DownloadQuery,
        headers: RangeHeaders,
        response: { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 403, 404, 416) },
      },
    },
    async (request, reply) => {
      const { answer, fileId } = await service.download({
        caller: request.caller,
        lineId: request.params.id,
        fileId: request.params.file_id,
        expires: request.query.expires,
        signature: request.query.signature,
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer, fileId);
    },
  );

  app.get(
    '/me/purchases/:id/certificate',
    {
      onRequest: signedIn,
      schema: {
        ...authenticated,
        summary: 'The licence certificate of your purchase, as a PDF',
        description:
          'Product, licence, terms, usage rights, key, date of issue, seller and buyer names, and where to verify ' +
          `the key. ${NOT_YOURS} ${REVOKED}`,
        params: PurchaseParams,
        response: { 200: Pdf, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { pdf, filename } = await service.certificate(requireCaller(request), request.params.id);
      // The typed reply knows the 200 as a binary string; the bytes go out as they are.
      const raw: FastifyReply = reply;
      return raw
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'private, no-store')
        .send(pdf);
    },
  );

  app.get(
    '/licenses/verify',
    {
      config: { rateLimitPolicy: 'licenseVerify' },
      schema: {
        tags: ['marketplace-licenses'],
        summary: 'Check a licence key: is it a valid licence, for which product, allowing what',
        description:
          'Public, no token. Answers the product, the licence name, terms and usage rights, the date of issue and ' +
          'whether the licence is in force (`revoked`: the purchase was refunded). Never anything of the buyer. A ' +
          'well-formed key nobody holds is `valid: false, status: unknown`; a string that cannot be a key is 400 ' +
          '`LICENSE_KEY_MALFORMED`. Limited per address (429 with Retry-After).',
        querystring: VerifyQuery,
        response: { 200: VerificationSchema, ...problems(400, 429) },
      },
    },
    (request) => service.verify(request.query.key),
  );
}
