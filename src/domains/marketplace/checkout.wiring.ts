// Wires the money side of the marketplace (issue 16 §4-7, 10): repositories → services → routes, called by
// marketplace.module.ts. Payment methods: manual always; stripe when VEZA_STRIPE_SECRET_KEY is set (ADR 0073).
import type { FastifyInstance } from 'fastify';
import type { ModuleDependencies } from '../../app/module-dependencies.ts';
import { marketMoneyConfig, moneyConfigOf, type MarketMoneyConfig } from './checkout.config.ts';
import { registerCheckoutRoutes } from './checkout.routes.ts';
import { createCheckoutService, type CheckoutService } from './checkout.service.ts';
import { registerDiscountRoutes } from './discounts.routes.ts';
import { createDiscountsService } from './discounts.service.ts';
import { manualProvider, type PaymentMethod, type PaymentProvider } from './payments/provider.ts';
import { stripeClient, stripeProvider } from './payments/stripe.ts';

export function createMoneyServices(
  { pool }: Pick<ModuleDependencies, 'pool'>,
  config: MarketMoneyConfig = marketMoneyConfig(),
): { checkout: CheckoutService; config: MarketMoneyConfig } {
  const stripe =
    config.stripeSecretKey || config.stripeWebhookSecret ? stripeClient(config.stripeSecretKey) : undefined;
  const providers: Partial<Record<PaymentMethod, PaymentProvider>> = { manual: manualProvider };
  if (stripe && config.stripeSecretKey) providers.stripe = stripeProvider(stripe);
  return { checkout: createCheckoutService({ db: pool.db, config, providers, stripe }), config };
}

export function registerMoneyRoutes(app: FastifyInstance, deps: ModuleDependencies): void {
  const { checkout } = createMoneyServices(deps, moneyConfigOf(deps.config.market));
  registerCheckoutRoutes(app, checkout);
  registerDiscountRoutes(app, createDiscountsService(deps.pool.db));
}
