// The gear HTTP routes (issue 17 §6-8, ADR 0079). Validation by schema, rules in GearService, problems from
// gear.errors.ts. Everything under /me/gear is the caller's own: someone else's item is 404 GEAR_NOT_FOUND.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn, allowedBy } from '../../platform/http/route-kit.ts';
import { mayManageCategories } from './gear.policy.ts';
import {
  CategoryIdParams,
  CategoryListSchema,
  CategorySchema,
  CreateCategorySchema,
  CreateEquipmentSchema,
  CreateMaintenanceSchema,
  CreateWarrantySchema,
  EquipmentListQuerySchema,
  EquipmentListSchema,
  EquipmentSchema,
  GEAR_CSV_MAX_BYTES,
  GearIdParams,
  ImportResultSchema,
  MaintenanceListSchema,
  MaintenanceParams,
  MaintenanceSchema,
  SetupPageSchema,
  SetupSettingsSchema,
  UpdateCategorySchema,
  UpdateEquipmentSchema,
  UpdateMaintenanceSchema,
  UpdateWarrantySchema,
  UsernameParams,
  WarrantyListSchema,
  WarrantyParams,
  WarrantySchema,
} from './gear.schemas.ts';
import type { GearService } from './gear.service.ts';

const gear = { tags: ['gear'], security: AUTHENTICATED };
const categories = { tags: ['gear-categories'] };
const adminCategories = { tags: ['gear-categories'], security: AUTHENTICATED };
const setup = { tags: ['setup'] };
const HIDDEN = 'Someone else’s item, or a deleted one, is 404 GEAR_NOT_FOUND.';
const CsvText = {
  description: 'The CSV file',
  content: { 'text/csv': { schema: Type.String() } },
};
/** The upload arrives as bytes (its encoding is checked by the service): documented, not validated as a string. */
const CsvUpload = {
  description: 'The CSV file, UTF-8',
  content: { 'text/csv': { schema: Type.Unsafe<Buffer>({ description: 'CSV text, UTF-8' }) } },
};

export function registerGearRoutes(instance: FastifyInstance, service: GearService): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const manageCategories = allowedBy(mayManageCategories);

  // Categories

  app.get(
    '/gear/categories',
    {
      schema: {
        ...categories,
        summary: 'Every equipment category, by name',
        description: 'A two-level tree: parent_id names a top-level category.',
        response: { 200: CategoryListSchema },
      },
    },
    async () => service.categories(),
  );

  app.post(
    '/gear/categories',
    {
      onRequest: manageCategories,
      schema: {
        ...adminCategories,
        summary: 'Add an equipment category (administrators)',
        body: CreateCategorySchema,
        response: { 201: CategorySchema, ...problems(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createCategory(requireCaller(request), request.body)),
  );

  app.patch(
    '/gear/categories/:id',
    {
      onRequest: manageCategories,
      schema: {
        ...adminCategories,
        summary: 'Rename or move an equipment category (administrators)',
        params: CategoryIdParams,
        body: UpdateCategorySchema,
        response: { 200: CategorySchema, ...problems(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => service.updateCategory(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/gear/categories/:id',
    {
      onRequest: manageCategories,
      schema: {
        ...adminCategories,
        summary: 'Delete an equipment category (administrators)',
        description: 'Refused while equipment is filed under it (409 GEAR_CATEGORY_IN_USE); children move to the top.',
        params: CategoryIdParams,
        response: { 204: NoContent, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.deleteCategory(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // Equipment

  app.get(
    '/me/gear',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Your equipment, newest first',
        querystring: EquipmentListQuerySchema,
        response: { 200: EquipmentListSchema, ...problems(400, 401) },
      },
    },
    async (request) => service.mine(requireCaller(request), request.query),
  );

  app.post(
    '/me/gear',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Add an item to your equipment',
        description:
          'serial_number, purchase details and notes are private. purchase_price needs currency. photo_file_id: an ' +
          'image of yours, scanned clean (422 GEAR_FILE_UNUSABLE).',
        body: CreateEquipmentSchema,
        response: { 201: EquipmentSchema, ...problems(400, 401, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(requireCaller(request), request.body)),
  );

  app.get(
    '/me/gear/export',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Your equipment as CSV (UTF-8)',
        description:
          'Columns: name, category (slug), brand, model, serial_number, purchase_date, purchase_price, currency, ' +
          'purchased_from, condition, status, notes, is_public. Cells that would start a spreadsheet formula ' +
          "(= + - @ tab CR) are prefixed with ' (the import takes it off again).",
        response: { 200: CsvText, ...problems(401) },
      },
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="gear.csv"')
        .send(await service.exportCsv(requireCaller(request))),
  );

  // The import reads raw bytes: its own scope, so no other route accepts text/csv.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: GEAR_CSV_MAX_BYTES }, (_r, body, next) =>
      next(null, body),
    );
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/me/gear/import',
      {
        onRequest: signedIn,
        schema: {
          ...gear,
          summary: 'Add equipment from a CSV file (the export’s columns)',
          description:
            'text/csv, UTF-8 with or without a byte order mark (415 GEAR_CSV_ENCODING otherwise), at most 5,000 rows ' +
            '(422 GEAR_CSV_TOO_MANY_ROWS) and 2 MiB (413). All or nothing: any broken rule is a 422 ' +
            'GEAR_CSV_INVALID listing rows[<record>].<column> and the rule (the header is record 1).',
          body: CsvUpload,
          response: { 200: ImportResultSchema, ...problems(400, 401, 413, 415, 422) },
        },
      },
      async (request) => service.importCsv(requireCaller(request), request.body, request.headers['content-type']),
    );
    done();
  });

  app.get(
    '/me/gear/setup',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Whether your public setup page is on',
        response: { 200: SetupSettingsSchema, ...problems(401) },
      },
    },
    async (request) => service.setupSettings(requireCaller(request)),
  );

  app.put(
    '/me/gear/setup',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Turn your public setup page on or off',
        description:
          'The page lists your items marked is_public that you still own or lent: never serials, prices, notes or documents.',
        body: SetupSettingsSchema,
        response: { 200: SetupSettingsSchema, ...problems(400, 401) },
      },
    },
    async (request) => service.setSetupSettings(requireCaller(request), request.body.public),
  );

  app.get(
    '/me/gear/:id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'One of your items',
        description: HIDDEN,
        params: GearIdParams,
        response: { 200: EquipmentSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.get(requireCaller(request), request.params.id),
  );

  app.patch(
    '/me/gear/:id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Edit one of your items',
        description: HIDDEN,
        params: GearIdParams,
        body: UpdateEquipmentSchema,
        response: { 200: EquipmentSchema, ...problems(400, 401, 404, 422) },
      },
    },
    async (request) => service.update(requireCaller(request), request.params.id, request.body),
  );

  app.delete(
    '/me/gear/:id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Delete one of your items',
        description: `Purged with its warranties and log 30 days later. ${HIDDEN}`,
        params: GearIdParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(requireCaller(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // Warranties

  app.get(
    '/me/gear/:id/warranties',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: "An item's warranties, newest first",
        params: GearIdParams,
        querystring: PageQuerySchema,
        response: { 200: WarrantyListSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.warranties(requireCaller(request), request.params.id, request.query),
  );

  app.post(
    '/me/gear/:id/warranties',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Add a warranty to an item',
        description:
          'ends_on before starts_on: 422 GEAR_VALUE_INVALID (body.ends_on, after_start). Reminders go out 30 days ' +
          'before and on the end day (ADR 0079).',
        params: GearIdParams,
        body: CreateWarrantySchema,
        response: { 201: WarrantySchema, ...problems(400, 401, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addWarranty(requireCaller(request), request.params.id, request.body)),
  );

  app.get(
    '/me/gear/:id/warranties/:warranty_id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'One warranty of an item',
        params: WarrantyParams,
        response: { 200: WarrantySchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.warranty(requireCaller(request), request.params.id, request.params.warranty_id),
  );

  app.patch(
    '/me/gear/:id/warranties/:warranty_id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Edit a warranty',
        description: 'A moved end date is reminded again.',
        params: WarrantyParams,
        body: UpdateWarrantySchema,
        response: { 200: WarrantySchema, ...problems(400, 401, 404, 422) },
      },
    },
    async (request) =>
      service.updateWarranty(requireCaller(request), request.params.id, request.params.warranty_id, request.body),
  );

  app.delete(
    '/me/gear/:id/warranties/:warranty_id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Delete a warranty',
        params: WarrantyParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.removeWarranty(requireCaller(request), request.params.id, request.params.warranty_id);
      return reply.code(204).send(null);
    },
  );

  // Maintenance

  app.get(
    '/me/gear/:id/maintenance',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: "An item's maintenance log, newest entry first",
        params: GearIdParams,
        querystring: PageQuerySchema,
        response: { 200: MaintenanceListSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.maintenance(requireCaller(request), request.params.id, request.query),
  );

  app.post(
    '/me/gear/:id/maintenance',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Log a service, repair, calibration… of an item',
        params: GearIdParams,
        body: CreateMaintenanceSchema,
        response: { 201: MaintenanceSchema, ...problems(400, 401, 404, 422) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addMaintenance(requireCaller(request), request.params.id, request.body)),
  );

  app.get(
    '/me/gear/:id/maintenance/:entry_id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'One maintenance entry',
        params: MaintenanceParams,
        response: { 200: MaintenanceSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => service.maintenanceEntry(requireCaller(request), request.params.id, request.params.entry_id),
  );

  app.patch(
    '/me/gear/:id/maintenance/:entry_id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Edit a maintenance entry',
        params: MaintenanceParams,
        body: UpdateMaintenanceSchema,
        response: { 200: MaintenanceSchema, ...problems(400, 401, 404, 422) },
      },
    },
    async (request) =>
      service.updateMaintenance(requireCaller(request), request.params.id, request.params.entry_id, request.body),
  );

  app.delete(
    '/me/gear/:id/maintenance/:entry_id',
    {
      onRequest: signedIn,
      schema: {
        ...gear,
        summary: 'Delete a maintenance entry',
        params: MaintenanceParams,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await service.removeMaintenance(requireCaller(request), request.params.id, request.params.entry_id);
      return reply.code(204).send(null);
    },
  );

  // The public setup page

  app.get(
    '/users/:username/setup',
    {
      schema: {
        ...setup,
        summary: "Someone's setup: the equipment they show publicly",
        description:
          'Only when its owner turned the page on (PUT /v1/me/gear/setup), for live accounts, never across a block, ' +
          'followers only for a private profile; 404 SETUP_NOT_FOUND otherwise. Name, brand, model and category ' +
          'only: never serial numbers, prices, notes or documents.',
        params: UsernameParams,
        querystring: PageQuerySchema,
        response: { 200: SetupPageSchema, ...problems(400, 404) },
      },
    },
    async (request) => service.setupPage(request.caller, request.params.username, request.query),
  );
}
