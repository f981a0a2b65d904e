// Wires the marketplace domain: repositories -> services -> routes, registered under /v1 by the composition root.
// Each part of issue 16 adds its register call here (catalogue: products, licences, favourites, reviews; money side:
// carts, checkout, orders, payments, payouts).
import type { DomainModule } from '../../app/module-dependencies.ts';
import { resolveJwtSecret } from '../../platform/config/secrets.ts';
import { createFilesBridge, type UrlSigner } from '../files/index.ts';
import { publicNamesOf } from '../profiles/index.ts';
import { createLicensesRepository } from './licenses.repository.ts';
import { createProductsRepository } from './products.repository.ts';
import { registerProductsRoutes } from './products.routes.ts';
import { ProductsService } from './products.service.ts';
import { createReviewsRepository } from './reviews.repository.ts';
import { registerReviewsRoutes } from './reviews.routes.ts';
import { ReviewsService } from './reviews.service.ts';
import { registerMoneyRoutes } from './checkout.wiring.ts';
import { registerDeliveryRoutes } from './delivery.routes.ts';
import { createDeliveryService, purchaseLinkSigner } from './delivery.service.ts';
import { moneyConfigOf } from './checkout.config.ts';
import { registerSalesRoutes } from './sales.routes.ts';
import { createSalesService } from './sales.service.ts';
import { registerPayoutAccountRoutes } from './payout-accounts.routes.ts';
import { createPayoutAccountsService } from './payout-accounts.service.ts';
import { stripeClient } from './payments/stripe.ts';

/** The marketplace (spec §10, issue 16). */
export const marketplaceModule: DomainModule = (deps) => {
  const { pool, config } = deps;
  return (app, _options, done) => {
    // Catalogue (issue 16 §1, 2, 9; ADRs 0068, 0069).
    const files = createFilesBridge({ pool, config });
    const productsRepository = createProductsRepository(pool);
    const products = new ProductsService({
      products: productsRepository,
      licenses: createLicensesRepository(pool),
      files,
    });
    registerProductsRoutes(app, products);
    registerReviewsRoutes(
      app,
      new ReviewsService({ products: productsRepository, reviews: createReviewsRepository(pool) }),
    );
    // Money side (issue 16 §4-7, 10; checkout.wiring.ts).
    registerMoneyRoutes(app, deps);
    // Delivery (issue 16 §8; ADRs 0075, 0076): purchases, downloads, certificates, licence verification.
    let signer: Promise<UrlSigner> | undefined;
    registerDeliveryRoutes(
      app,
      createDeliveryService({
        db: pool.db,
        files,
        signer: () => (signer ??= resolveJwtSecret(config).then(purchaseLinkSigner)),
        publicNames: (ids) => publicNamesOf(pool.db, ids),
      }),
    );
    // The seller's side (issue 16 §10, ADR 0077): sales, balances, payouts.
    registerSalesRoutes(app, createSalesService({ db: pool.db, config: moneyConfigOf(config.market) }));
    // Where a seller's Stripe Connect payouts go (ADR 0084), and the Connect webhook that verifies it.
    const { stripeSecretKey, stripeConnectWebhookSecret } = config.market;
    registerPayoutAccountRoutes(
      app,
      createPayoutAccountsService({
        db: pool.db,
        stripe: stripeConnectWebhookSecret ? stripeClient(stripeSecretKey) : undefined,
        connectWebhookSecret: stripeConnectWebhookSecret,
      }),
    );
    done();
  };
};
