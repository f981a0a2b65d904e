// The catalogue's rules (issue 16 §1, 2, 9; ADRs 0068, 0069): drafts, pricing, files, publishing, moderation, the
// public catalogue and product page, licences and favourites. Status changes and licence edits of one product run
// with the product row locked, so a publish and a licence removal cannot both pass their checks on a stale state.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, toPage, type Position } from '../../platform/http/pagination.ts';
import { ApiError, type ProblemField, type ProblemType } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { recordModerationAct } from '../admin/index.ts';
import type { Caller } from '../../platform/policy/policy.ts';
import type { BridgedFile, DeliveryAnswer, FilesBridge } from '../files/index.ts';
import { CatalogueProblems } from './catalogue.errors.ts';
import type { LicenseRow, LicensesRepository } from './licenses.repository.ts';
import { formatMoney, MoneyError, parseMoney } from './money.ts';
import { mayFavorite, mayManage, mayModerate, maySeeDownloads, mayView } from './products.policy.ts';
import type { CatalogueFilters, ProductRow, ProductsRepository, ProductValues } from './products.repository.ts';
import type {
  CatalogueQuery,
  CreateLicense,
  CreateProduct,
  ProductStatus,
  UpdateLicense,
  UpdateProduct,
} from './products.schemas.ts';

export interface ProductsServiceDeps {
  products: ProductsRepository;
  licenses: LicensesRepository;
  files: Pick<FilesBridge, 'findFile' | 'deliver'>;
}

type FileKind = 'preview' | 'download' | 'image';
const FILE_FIELDS: Record<FileKind, keyof ProductValues> = {
  preview: 'preview_file_id',
  download: 'download_file_ids',
  image: 'image_file_ids',
};

function fieldError(type: ProblemType, detail: string, field: string, rule: string, message = detail): ApiError {
  return new ApiError(type, detail, [{ field, rule, message }]);
}

/** An amount of the API as stored: "12.5" -> "12.50"; anything money.ts refuses is a 400 on that field. */
function amount(value: string, field: string): bigint {
  try {
    return parseMoney(value);
  } catch (error) {
    if (error instanceof MoneyError)
      throw fieldError(CatalogueProblems.pricingInvalid, error.message, field, error.reason);
    throw error;
  }
}

/** The units a licence may still sell: null when unlimited. */
export function unitsAvailable(
  license: Pick<LicenseRow, 'is_exclusive' | 'distribution_limit' | 'units_sold' | 'units_reserved'>,
) {
  const limit = license.is_exclusive ? 1 : license.distribution_limit;
  return limit === null ? null : Math.max(0, limit - license.units_sold - license.units_reserved);
}

const slugOf = (name: string) =>
  `${
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'product'
  }-${randomBytes(4).toString('hex')}`;

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

const position = (cursor: string | undefined): Position | undefined => (cursor ? decodeCursor(cursor) : undefined);

export class ProductsService {
  readonly #deps: ProductsServiceDeps;

  constructor(deps: ProductsServiceDeps) {
    this.#deps = deps;
  }

  // Views

  productView(row: ProductRow, caller: Caller | null) {
    const { deleted_at: _deleted, download_file_ids, ...rest } = row;
    return {
      ...rest,
      tags: row.tags ?? [],
      formats: row.formats ?? [],
      image_file_ids: row.image_file_ids ?? [],
      average_rating: row.average_rating ?? '0.00',
      published_at: isoOrNull(row.published_at),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
      ...(maySeeDownloads(caller, row) ? { download_file_ids: download_file_ids ?? [] } : {}),
    };
  }

  licenseView(license: LicenseRow, product: Pick<ProductRow, 'currency'>) {
    const { units_sold: _sold, units_reserved: _reserved, ...rest } = license;
    const available = unitsAvailable(license);
    return {
      ...rest,
      currency: product.currency,
      withdrawn_at: isoOrNull(license.withdrawn_at),
      created_at: iso(license.created_at),
      updated_at: iso(license.updated_at),
      units_available: available,
      on_sale: license.withdrawn_at === null && (available === null || available > 0),
    };
  }

  // Products

  async #visible(caller: Caller | null, productId: string): Promise<ProductRow> {
    const product = await this.#deps.products.find(productId);
    authorize(mayView(caller, product), CatalogueProblems.productNotFound);
    return product as ProductRow;
  }

  /** The product page: the product, its licences, whether the caller saved it. Counts a view from anyone else. */
  async page(caller: Caller | null, productId: string) {
    const product = await this.#visible(caller, productId);
    const [licenses, favorited] = await Promise.all([
      this.#deps.licenses.ofProducts([product.id]),
      caller ? this.#deps.products.isFavorite(caller.userId, product.id) : Promise.resolve(false),
    ]);
    if (product.status === 'active' && caller?.userId !== product.seller_id) {
      await this.#deps.products.countView(product.id);
      product.view_count += 1;
    }
    return {
      ...this.productView(product, caller),
      licenses: licenses.map((l) => this.licenseView(l, product)),
      favorited,
    };
  }

  async catalogue(caller: Caller | null, query: CatalogueQuery) {
    const filters: CatalogueFilters = {
      category: query.category,
      genre: query.genre,
      currency: query.currency,
      bpmMin: query.bpm_min,
      bpmMax: query.bpm_max,
      key: query.key,
      sellerId: query.seller_id,
      tags: query.tag === undefined ? undefined : Array.isArray(query.tag) ? query.tag : [query.tag],
    };
    if (query.min_price !== undefined) filters.minPrice = formatMoney(amount(query.min_price, 'query.min_price'));
    if (query.max_price !== undefined) filters.maxPrice = formatMoney(amount(query.max_price, 'query.max_price'));
    const rows = await this.#deps.products.catalogue(filters, query.limit, position(query.cursor));
    const page = toPage(rows, query.limit);
    return { ...page, items: page.items.map((row) => this.productView(row, caller)) };
  }

  async mine(
    caller: Caller,
    query: { limit: number; cursor?: string | undefined; status?: ProductStatus | undefined },
  ) {
    const rows = await this.#deps.products.ofSeller(caller.userId, query.status, query.limit, position(query.cursor));
    const page = toPage(rows, query.limit);
    return { ...page, items: page.items.map((row) => this.productView(row, caller)) };
  }

  async create(caller: Caller, body: CreateProduct) {
    const values: ProductValues = {
      name: body.name,
      slug: body.slug ?? slugOf(body.name),
      description: body.description ?? '',
      category: body.category,
      tags: body.tags ?? [],
      genre: body.genre ?? null,
      bpm: body.bpm ?? null,
      musical_key: body.musical_key ?? null,
      formats: body.formats ?? [],
      pricing_model: body.pricing_model,
      price: body.price,
      minimum_price: body.minimum_price ?? null,
      currency: body.currency ?? 'USD',
      preview_file_id: body.preview_file_id ?? null,
      download_file_ids: body.download_file_ids ?? [],
      image_file_ids: body.image_file_ids ?? [],
    };
    Object.assign(values, this.#pricing(values));
    await this.#checkFiles(caller.userId, values, false);
    if (body.slug && (await this.#deps.products.slugTaken(body.slug)))
      throw fieldError(CatalogueProblems.productSlugTaken, 'Another product has this slug', 'body.slug', 'unique');
    const row = await this.#deps.products.inTransaction((tx) => this.#deps.products.insert(tx, caller.userId, values));
    return this.productView(row, caller);
  }

  async update(caller: Caller, productId: string, body: UpdateProduct) {
    return this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#deps.products.lock(tx, productId);
      authorize(mayManage(caller, product), CatalogueProblems.productNotFound);
      const current = product as ProductRow;
      const changes: Partial<ProductValues> = { ...body };
      const merged: ProductValues = {
        ...this.#values(current),
        ...changes,
      };
      if (
        body.price !== undefined ||
        body.minimum_price !== undefined ||
        body.pricing_model !== undefined ||
        body.currency !== undefined
      ) {
        const pricing = this.#pricing(merged);
        Object.assign(changes, pricing);
        if (body.currency !== undefined && body.currency !== current.currency && current.sale_count > 0)
          throw fieldError(
            CatalogueProblems.pricingInvalid,
            'A product that has sold keeps its currency',
            'body.currency',
            'sold',
          );
      }
      // A product on sale shows its files at once: they must be ready, as for publishing.
      await this.#checkFiles(caller.userId, merged, current.status === 'active');
      const row = await this.#deps.products.update(tx, current.id, changes);
      return this.productView(row, caller);
    });
  }

  /** draft or inactive -> active: a licence on sale, files cleared and processed, never after an exclusive sale. */
  async publish(caller: Caller, productId: string) {
    return this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#lockManaged(tx, caller, productId);
      if (product.status === 'suspended')
        throw new ApiError(CatalogueProblems.productSuspended, 'A moderator suspended this product');
      if (product.status === 'active') return this.productView(product, caller);
      if (await this.#deps.licenses.soldExclusively(product.id, tx))
        throw new ApiError(CatalogueProblems.soldExclusively, 'An exclusive licence of this product was sold');
      const problems: ProblemField[] = [];
      if ((await this.#deps.licenses.countOnSale(product.id, tx)) === 0)
        problems.push({ field: 'licenses', rule: 'on_sale', message: 'needs at least one licence on sale' });
      if (product.category !== 'service' && (product.download_file_ids ?? []).length === 0)
        problems.push({ field: 'download_file_ids', rule: 'minItems', message: 'needs a file to deliver' });
      problems.push(...(await this.#fileProblems(product.seller_id, this.#values(product), true)));
      if (problems.length > 0)
        throw new ApiError(CatalogueProblems.notPublishable, 'The product is not ready to go on sale', problems);
      return this.productView(await this.#deps.products.setStatus(tx, product.id, 'active'), caller);
    });
  }

  /** active -> inactive (also from draft: a no-op for drafts is refused, they were never on sale). */
  async unpublish(caller: Caller, productId: string) {
    return this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#lockManaged(tx, caller, productId);
      if (product.status === 'suspended')
        throw new ApiError(CatalogueProblems.productSuspended, 'A moderator suspended this product');
      if (product.status === 'draft')
        throw new ApiError(CatalogueProblems.statusConflict, 'A draft is not on sale; publish it first');
      if (product.status === 'inactive') return this.productView(product, caller);
      return this.productView(await this.#deps.products.setStatus(tx, product.id, 'inactive'), caller);
    });
  }

  /** A moderator takes a product off sale; only a moderator lifts it (back to inactive: the seller republishes). */
  async suspend(caller: Caller, productId: string, reason: string) {
    return this.#moderate(caller, productId, 'suspended', reason);
  }

  async reinstate(caller: Caller, productId: string, reason: string) {
    return this.#moderate(caller, productId, 'inactive', reason);
  }

  async #moderate(caller: Caller, productId: string, to: 'suspended' | 'inactive', reason: string) {
    return this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#deps.products.lock(tx, productId);
      authorize(mayModerate(caller, product), CatalogueProblems.productNotFound);
      const row = product as ProductRow;
      if (to === 'inactive' && row.status !== 'suspended')
        throw new ApiError(CatalogueProblems.statusConflict, 'The product is not suspended');
      if (row.status === to) return this.productView(row, caller);
      const updated = await this.#deps.products.setStatus(tx, row.id, to);
      await recordModerationAct(tx, {
        moderatorId: caller.userId,
        targetUserId: row.seller_id,
        entityType: 'product',
        entityId: row.id,
        action: to === 'suspended' ? 'hide_content' : 'restore',
        reason,
      });
      return this.productView(updated, caller);
    });
  }

  /** Soft delete by the seller: the row stays for the order lines that sold it (retention: table registry). */
  async remove(caller: Caller, productId: string): Promise<void> {
    await this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#lockManaged(tx, caller, productId);
      await this.#deps.products.softDelete(tx, product.id);
    });
  }

  // Media

  /** The preview (streamable, inline) or one of the images, to whoever may see the product. */
  async media(
    caller: Caller | null,
    productId: string,
    fileId: string | null,
    request: { headers: Record<string, string | string[] | undefined>; headOnly: boolean },
  ): Promise<{ delivery: DeliveryAnswer; fileId: string }> {
    const product = await this.#visible(caller, productId);
    const wanted = fileId ?? product.preview_file_id;
    const offered =
      fileId === null ? product.preview_file_id !== null : (product.image_file_ids ?? []).includes(fileId);
    if (!wanted || !offered) throw new ApiError(CatalogueProblems.mediaNotFound);
    const file = await this.#deps.files.findFile(wanted);
    const seller = caller?.userId === product.seller_id;
    if (!file || file.deleted || (!seller && (!file.cleared || file.processing !== 'processed')))
      throw new ApiError(CatalogueProblems.mediaNotFound);
    const open = product.status === 'active';
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const headers: Record<string, string> = {};
    for (const name of ['range', 'if-range', 'if-none-match', 'if-modified-since']) {
      const value = header(name);
      if (value !== undefined) headers[name] = value;
    }
    const delivery = await this.#deps.files.deliver({
      caller,
      fileId: file.id,
      grant: {
        rule: 'product',
        open,
        shareable: open,
        disposition: { kind: 'inline', filename: file.original_filename },
      },
      headers,
      headOnly: request.headOnly,
    });
    return { delivery, fileId: file.id };
  }

  // Licences (ADR 0069)

  async licenses(caller: Caller | null, productId: string) {
    const product = await this.#visible(caller, productId);
    const rows = await this.#deps.licenses.ofProducts([product.id]);
    return rows.map((row) => this.licenseView(row, product));
  }

  async createLicense(caller: Caller, productId: string, body: CreateLicense) {
    return this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#lockManaged(tx, caller, productId);
      if (await this.#deps.licenses.soldExclusively(product.id, tx))
        throw new ApiError(CatalogueProblems.soldExclusively, 'An exclusive licence of this product was sold');
      const row = await this.#deps.licenses.insert(tx, product.id, {
        name: body.name,
        description: body.description ?? null,
        price: this.#licensePrice(product, body.price),
        terms: body.terms,
        usage_rights: JSON.stringify(body.usage_rights),
        is_exclusive: body.is_exclusive ?? false,
        distribution_limit: body.distribution_limit ?? null,
      });
      return this.licenseView(row, product);
    });
  }

  async updateLicense(caller: Caller, productId: string, licenseId: string, body: UpdateLicense) {
    return this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#lockManaged(tx, caller, productId);
      const license = await this.#deps.licenses.find(product.id, licenseId, tx);
      if (!license) throw new ApiError(CatalogueProblems.licenseNotFound);
      const exclusive = body.is_exclusive ?? license.is_exclusive;
      const limit = body.distribution_limit !== undefined ? body.distribution_limit : license.distribution_limit;
      const used = license.units_sold + license.units_reserved;
      if ((exclusive ? 1 : (limit ?? Infinity)) < used)
        throw fieldError(
          CatalogueProblems.licenseLimitBelowSales,
          `${used} unit(s) are sold or reserved already`,
          body.is_exclusive !== undefined ? 'body.is_exclusive' : 'body.distribution_limit',
          'units',
        );
      const { usage_rights, price, ...rest } = body;
      const row = await this.#deps.licenses.update(tx, license.id, {
        ...rest,
        ...(price !== undefined ? { price: this.#licensePrice(product, price) } : {}),
        ...(usage_rights !== undefined ? { usage_rights: JSON.stringify(usage_rights) } : {}),
      });
      return this.licenseView(row, product);
    });
  }

  async removeLicense(caller: Caller, productId: string, licenseId: string): Promise<void> {
    await this.#deps.products.inTransaction(async (tx) => {
      const product = await this.#lockManaged(tx, caller, productId);
      const license = await this.#deps.licenses.find(product.id, licenseId, tx);
      if (!license) throw new ApiError(CatalogueProblems.licenseNotFound);
      const onSale = this.licenseView(license, product).on_sale;
      if (product.status === 'active' && onSale && (await this.#deps.licenses.countOnSale(product.id, tx)) <= 1)
        throw new ApiError(
          CatalogueProblems.licenseLastOnSale,
          'Unpublish the product before removing its last licence',
        );
      await this.#deps.licenses.softDelete(tx, license.id);
    });
  }

  // Favourites (issue 16 §9)

  async favorite(caller: Caller, productId: string, saved: boolean) {
    const product = await this.#deps.products.find(productId);
    // Saving needs a product one may see; unsaving also works for one saved before it left the catalogue (its
    // saver knew it), and is a 404 for anyone else, so it tells nothing of hidden products.
    const decision = mayFavorite(caller, product);
    if (!decision.allowed && (saved || !product || !(await this.#deps.products.isFavorite(caller.userId, productId))))
      authorize(decision, CatalogueProblems.productNotFound);
    const count = saved
      ? await this.#deps.products.addFavorite(caller.userId, productId)
      : await this.#deps.products.removeFavorite(caller.userId, productId);
    return { product_id: productId, favorited: saved, favorite_count: count };
  }

  async favorites(caller: Caller, query: { limit: number; cursor?: string | undefined }) {
    const rows = await this.#deps.products.favoritesOf(caller.userId, query.limit, position(query.cursor));
    const page = toPage(
      rows.map(({ favorite_id, favorited_at, ...row }) => ({ ...row, id: favorite_id, product: row, favorited_at })),
      query.limit,
    );
    return {
      next_cursor: page.next_cursor,
      items: page.items.map(({ product, favorited_at }) => ({
        product: this.productView(product, caller),
        favorited_at: iso(favorited_at),
      })),
    };
  }

  // Rules

  async #lockManaged(tx: Transaction<DB>, caller: Caller, productId: string): Promise<ProductRow> {
    const product = await this.#deps.products.lock(tx, productId);
    authorize(mayManage(caller, product), CatalogueProblems.productNotFound);
    return product as ProductRow;
  }

  #values(row: ProductRow): ProductValues {
    return {
      name: row.name,
      slug: row.slug,
      description: row.description,
      category: row.category,
      tags: row.tags ?? [],
      genre: row.genre,
      bpm: row.bpm,
      musical_key: row.musical_key,
      formats: row.formats ?? [],
      pricing_model: row.pricing_model,
      price: row.price,
      minimum_price: row.minimum_price,
      currency: row.currency,
      preview_file_id: row.preview_file_id,
      download_file_ids: row.download_file_ids ?? [],
      image_file_ids: row.image_file_ids ?? [],
    };
  }

  /**
   * Pricing (ADR 0068): fixed sells at `price` (> 0); pwyw asks at least `minimum_price` and suggests `price`
   * (>= the minimum); free is 0.00 with no minimum. Answers the normalised amounts.
   */
  #pricing(values: Pick<ProductValues, 'pricing_model' | 'price' | 'minimum_price'>) {
    const price = amount(values.price, 'body.price');
    const invalid = (field: string, rule: string, message: string) =>
      fieldError(CatalogueProblems.pricingInvalid, `The ${field.slice(5)} ${message}`, field, rule, message);
    let minimum: bigint | null = null;
    switch (values.pricing_model) {
      case 'free':
        if (price !== 0n) throw invalid('body.price', 'free', 'of a free product is 0.00');
        if (values.minimum_price !== null) throw invalid('body.minimum_price', 'free', 'is for pwyw products only');
        break;
      case 'fixed':
        if (price === 0n) throw invalid('body.price', 'positive', 'of a fixed-price product is above 0.00');
        if (values.minimum_price !== null) throw invalid('body.minimum_price', 'fixed', 'is for pwyw products only');
        break;
      case 'pwyw':
        if (values.minimum_price === null) throw invalid('body.minimum_price', 'required', 'is required for pwyw');
        minimum = amount(values.minimum_price, 'body.minimum_price');
        if (price < minimum) throw invalid('body.price', 'minimum', 'suggested is below the minimum price');
        break;
    }
    return { price: formatMoney(price), minimum_price: minimum === null ? null : formatMoney(minimum) };
  }

  #licensePrice(product: ProductRow, price: string): string {
    const cents = amount(price, 'body.price');
    if (product.pricing_model === 'free' && cents !== 0n)
      throw fieldError(
        CatalogueProblems.pricingInvalid,
        'The licences of a free product are free',
        'body.price',
        'free',
      );
    return formatMoney(cents);
  }

  async #checkFiles(sellerId: string, values: ProductValues, ready: boolean): Promise<void> {
    const problems = await this.#fileProblems(sellerId, values, ready);
    if (problems.length > 0)
      throw new ApiError(
        ready ? CatalogueProblems.notPublishable : CatalogueProblems.fileUnusable,
        problems[0]!.message,
        problems,
      );
  }

  /**
   * Every file named must be the seller's own live file of the right kind (audio preview, image images); with
   * `ready`, also cleared by the scanner and processed (publishing, and edits of a product on sale).
   */
  async #fileProblems(sellerId: string, values: ProductValues, ready: boolean): Promise<ProblemField[]> {
    const named: [FileKind, string][] = [
      ...(values.preview_file_id ? [['preview', values.preview_file_id] as [FileKind, string]] : []),
      ...values.download_file_ids.map((id) => ['download', id] as [FileKind, string]),
      ...values.image_file_ids.map((id) => ['image', id] as [FileKind, string]),
    ];
    const found = await Promise.all(named.map(([, id]) => this.#deps.files.findFile(id)));
    const problems: ProblemField[] = [];
    named.forEach(([kind, id], i) => {
      const field = `body.${FILE_FIELDS[kind]}`;
      const problem = this.#fileProblem(kind, found[i], sellerId, ready);
      if (problem) problems.push({ field, rule: problem[0], message: `file ${id} ${problem[1]}` });
    });
    return problems;
  }

  #fileProblem(kind: FileKind, file: BridgedFile | undefined, sellerId: string, ready: boolean) {
    if (!file || file.deleted || file.user_id !== sellerId) return ['owner', 'is not a live file of yours'] as const;
    if (kind === 'preview' && !file.mime_type.startsWith('audio/')) return ['audio', 'is not audio'] as const;
    if (kind === 'image' && !file.mime_type.startsWith('image/')) return ['image', 'is not an image'] as const;
    if (ready && !file.cleared) return ['clean', 'has not been cleared by the virus scanner'] as const;
    if (ready && file.processing !== 'processed') return ['processed', 'is not processed yet'] as const;
    return undefined;
  }
}
