// The catalogue's HTTP routes (issue 16 §1, 2, 9; ADRs 0068, 0069): products, their media, licences and favourites.
// Validation by schema, rules in ProductsService, problems from catalogue.errors.ts.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn, withRole } from '../../platform/http/route-kit.ts';
import { sendDelivery } from '../files/index.ts';
import {
  CatalogueQuerySchema,
  CreateLicenseSchema,
  CreateProductSchema,
  FavoriteListSchema,
  FavoriteStateSchema,
  ImageParams,
  LicenseParams,
  LicenseSchema,
  MyProductsQuerySchema,
  ProductIdParams,
  ProductListSchema,
  ProductPageSchema,
  ProductSchema,
  SuspensionLiftSchema,
  SuspensionSchema,
  UpdateLicenseSchema,
  UpdateProductSchema,
} from './products.schemas.ts';
import type { ProductsService } from './products.service.ts';

const products = { tags: ['products'] };
const seller = { tags: ['products'], security: AUTHENTICATED };
const licenses = { tags: ['licenses'] };
const sellerLicenses = { tags: ['licenses'], security: AUTHENTICATED };
const favorites = { tags: ['favorites'], security: AUTHENTICATED };
const HIDDEN =
  'Someone else’s draft, inactive or suspended product, and any deleted product, are 404 PRODUCT_NOT_FOUND.';
const RangeHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
const Bytes = {
  description: 'The bytes (206: the one range asked for)',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const NotModified = { description: 'Not modified', type: 'null' };

export function registerProductsRoutes(instance: FastifyInstance, service: ProductsService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/products',
    {
      // ADR 0099: served from a read replica when one fits, the caller's own writes included.
      config: { reads: 'replica' },
      schema: {
        ...products,
        summary: 'The public catalogue: products on sale, newest first',
        description:
          'Filters: category, genre (case-insensitive), price range (min_price, max_price, with currency to compare ' +
          'like with like), bpm range, key, tags (all of them), seller. Keyset pagination (next_cursor).',
        querystring: CatalogueQuerySchema,
        response: { 200: ProductListSchema, ...problems(400) },
      },
    },
    async (request) => service.catalogue(request.caller, request.query),
  );

  app.post(
    '/products',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Create a product draft; you are its seller',
        description:
          'Pricing: fixed (price > 0), pwyw (minimum_price, price suggested >= minimum) or free (0.00). Files must be ' +
          'your own live files: an audio preview, images, downloads (422 PRODUCT_FILE_UNUSABLE). The slug is made ' +
          'from the name when left out (409 PRODUCT_SLUG_TAKEN when taken).',
        body: CreateProductSchema,
        response: { 201: ProductSchema, ...problems(400, 401, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.get(
    '/me/products',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Your products, any status, newest first',
        querystring: MyProductsQuerySchema,
        response: { 200: ProductListSchema, ...problems(400, 401) },
      },
    },
    async (request) => service.mine(requireCaller(request), request.query),
  );

  app.get(
    '/products/:id',
    {
      schema: {
        ...products,
        summary: 'A product page: the product, its licences, whether you saved it',
        description: `Counts a view (an aggregate, view_count) from anyone but the seller. ${HIDDEN}`,
        params: ProductIdParams,
        response: { 200: ProductPageSchema, ...problems(400, 404) },
      },
    },
    async (request) => service.page(request.caller, request.params.id),
  );

  app.patch(
    '/products/:id',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Edit your product',
        description:
          'The seller only (403 for others who can see it). On a product on sale, files must be cleared and ' +
          `processed already (409 PRODUCT_NOT_PUBLISHABLE). ${HIDDEN}`,
        params: ProductIdParams,
        body: UpdateProductSchema,
        response: { 200: ProductSchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.update(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/products/:id',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Delete your product',
        description: `Soft delete: order lines keep what they bought. ${HIDDEN}`,
        params: ProductIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/products/:id/publish',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Put your product on sale (draft or inactive -> active)',
        description:
          'Needs a licence on sale, a file to deliver (except services), and every file cleared by the scanner ' +
          'and processed (409 PRODUCT_NOT_PUBLISHABLE, the errors say what is missing). Never after an exclusive ' +
          'sale (409 PRODUCT_SOLD_EXCLUSIVELY), nor while suspended (409 PRODUCT_SUSPENDED).',
        params: ProductIdParams,
        response: { 200: ProductSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.publish(requireCaller(request), request.params.id),
  );

  app.post(
    '/products/:id/unpublish',
    {
      onRequest: signedIn,
      schema: {
        ...seller,
        summary: 'Take your product off sale (active -> inactive)',
        params: ProductIdParams,
        response: { 200: ProductSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.unpublish(requireCaller(request), request.params.id),
  );

  app.put(
    '/products/:id/suspension',
    {
      onRequest: withRole('moderator', 'admin'),
      schema: {
        ...seller,
        summary: 'Suspend a product (moderators)',
        description:
          'Takes it off sale; the seller cannot publish it again until a moderator lifts the suspension. The reason ' +
          'is kept in the moderation log (`moderation_actions`) with the act, in the same transaction.',
        params: ProductIdParams,
        body: SuspensionSchema,
        response: { 200: ProductSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => service.suspend(requireCaller(request), request.params.id, request.body.reason),
  );

  app.delete(
    '/products/:id/suspension',
    {
      onRequest: withRole('moderator', 'admin'),
      schema: {
        ...seller,
        summary: 'Lift a suspension (moderators): the product is inactive, its seller may publish it again',
        params: ProductIdParams,
        querystring: SuspensionLiftSchema,
        response: { 200: ProductSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      service.reinstate(requireCaller(request), request.params.id, request.query.reason ?? 'Suspension lifted'),
  );

  app.get(
    '/products/:id/preview',
    {
      schema: {
        ...products,
        summary: "Play a product's preview",
        description: `Streamable (ranges, ETag) to whoever may see the product. ${HIDDEN}`,
        params: ProductIdParams,
        headers: RangeHeaders,
        response: { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 404, 416) },
      },
    },
    async (request, reply) => {
      const answer = await service.media(request.caller, request.params.id, null, {
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer.delivery, answer.fileId);
    },
  );

  app.get(
    '/products/:id/images/:file_id',
    {
      schema: {
        ...products,
        summary: 'One of the images of a product',
        params: ImageParams,
        headers: RangeHeaders,
        response: { 200: Bytes, 206: Bytes, 304: NotModified, ...problems(400, 404, 416) },
      },
    },
    async (request, reply) => {
      const answer = await service.media(request.caller, request.params.id, request.params.file_id, {
        headers: request.headers,
        headOnly: request.method === 'HEAD',
      });
      return sendDelivery(request, reply, answer.delivery, answer.fileId);
    },
  );

  // Licences (ADR 0069)

  app.get(
    '/products/:id/licenses',
    {
      schema: {
        ...licenses,
        summary: "A product's licences, cheapest first",
        params: ProductIdParams,
        response: { 200: Type.Array(LicenseSchema), ...problems(400, 404) },
      },
    },
    async (request) => service.licenses(request.caller, request.params.id),
  );

  app.post(
    '/products/:id/licenses',
    {
      onRequest: signedIn,
      schema: {
        ...sellerLicenses,
        summary: 'Offer a licence for your product',
        description:
          'usage_rights follows the UsageRights schema. An exclusive licence is one unit: its sale withdraws the ' +
          'other licences and the product. Refused after an exclusive sale (409 PRODUCT_SOLD_EXCLUSIVELY).',
        params: ProductIdParams,
        body: CreateLicenseSchema,
        response: { 201: LicenseSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createLicense(requireCaller(request), request.params.id, request.body)),
  );

  app.patch(
    '/products/:id/licenses/:license_id',
    {
      onRequest: signedIn,
      schema: {
        ...sellerLicenses,
        summary: 'Edit a licence of your product',
        description:
          'Buyers keep the terms they bought (order lines hold a copy). A limit below the units sold or reserved ' +
          'is refused (409 LICENSE_LIMIT_BELOW_SALES).',
        params: LicenseParams,
        body: UpdateLicenseSchema,
        response: { 200: LicenseSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      service.updateLicense(requireCaller(request), request.params.id, request.params.license_id, request.body),
  );

  app.delete(
    '/products/:id/licenses/:license_id',
    {
      onRequest: signedIn,
      schema: {
        ...sellerLicenses,
        summary: 'Remove a licence of your product',
        description: 'Not the last licence on sale of a product on sale (409 LICENSE_LAST_ON_SALE).',
        params: LicenseParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.removeLicense(requireCaller(request), request.params.id, request.params.license_id);
      return reply.code(204).send(null);
    },
  );

  // Favourites (issue 16 §9)

  app.put(
    '/products/:id/favorite',
    {
      onRequest: signedIn,
      schema: {
        ...favorites,
        summary: 'Save a product to your favourites (idempotent)',
        params: ProductIdParams,
        response: { 200: FavoriteStateSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.favorite(requireCaller(request), request.params.id, true),
  );

  app.delete(
    '/products/:id/favorite',
    {
      onRequest: signedIn,
      schema: {
        ...favorites,
        summary: 'Remove a product from your favourites (idempotent)',
        params: ProductIdParams,
        response: { 200: FavoriteStateSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.favorite(requireCaller(request), request.params.id, false),
  );

  app.get(
    '/me/favorites',
    {
      onRequest: signedIn,
      schema: {
        ...favorites,
        summary: 'Your favourite products, last saved first',
        description: 'Products taken off sale drop out of the list while they are off sale.',
        querystring: PageQuerySchema,
        response: { 200: FavoriteListSchema, ...problems(400, 401) },
      },
    },
    async (request) => service.favorites(requireCaller(request), request.query),
  );
}
