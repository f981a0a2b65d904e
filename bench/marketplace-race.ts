// The 100-buyer race of issue 16 §2 on the benchmark database, over HTTP (checkout.concurrency.test.ts proves its
// outcome on a fresh test database; this measures it on seeded tables): a seller's new product with one exclusive
// licence, 100 buyers with that licence in their carts, and their 100 checkouts sent at once to a `veza serve` whose
// sessions may write. Exactly one pending order may come out; the time is from the first request sent to the last
// answer received. The product is taken off sale afterwards, so that the catalogue workloads of later runs do not
// meet it; the winner's pending order stays, like the orders of the checkout endpoint.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { AccessTokens } from '../src/domains/auth/index.ts';
import type { Role } from '../src/platform/http/caller.ts';
import { startService } from './http.ts';

export interface RaceResult {
  buyers: number;
  /** From the first checkout sent to the last answer, in ms. */
  durationMs: number;
  /** Answers by HTTP status and problem code ("201", "409 LICENSE_SOLD_OUT", …). */
  answers: Record<string, number>;
}

const LIVE_USER = `u.deleted_at IS NULL AND u.is_active AND NOT u.is_banned`;

/** Runs the race once; throws when the database lacks the accounts or more than one buyer got the licence. */
export async function raceForExclusiveLicence(options: {
  databaseUrl: string;
  buyers?: number;
  env?: Record<string, string>;
}): Promise<RaceResult> {
  const count = options.buyers ?? 100;
  const sql = postgres(options.databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'veza-bench-race' },
  });
  const jwtSecret = options.env?.VEZA_JWT_SECRET ?? randomBytes(48).toString('base64url');
  const tokens = new AccessTokens(jwtSecret, 3600);
  let productId: string | undefined;
  try {
    const people = await sql<{ id: string; token_version: number; role: Role }[]>`
      SELECT u.id, u.token_version, u.role FROM users u WHERE ${sql.unsafe(LIVE_USER)}
      ORDER BY md5(u.id::text || 'race') LIMIT ${count + 1}`;
    if (people.length < count + 1) throw new Error(`the race needs ${count + 1} live accounts: seed a larger scale`);
    const [seller, ...buyers] = [...people] as [(typeof people)[number], ...(typeof people)[number][]];
    const slug = `bench-race-${randomUUID().slice(0, 8)}`;
    const [product] = await sql<{ id: string }[]>`
      INSERT INTO products (seller_id, name, slug, description, category, price, currency, pricing_model, status,
                            published_at)
      VALUES (${seller.id}, ${`Benchmark race ${slug}`}, ${slug}, 'One exclusive licence, 100 buyers.', 'beat',
              '500.00', 'EUR', 'fixed', 'active', now())
      RETURNING id`;
    productId = (product as { id: string }).id;
    const [license] = await sql<{ id: string }[]>`
      INSERT INTO product_licenses (product_id, name, price, terms, is_exclusive)
      VALUES (${productId}, 'Exclusive rights', '500.00', 'Exclusive: the product is withdrawn after sale.', true)
      RETURNING id`;
    const licenseId = (license as { id: string }).id;
    // The checkout takes the whole cart: the buyers' earlier lines would change what is raced for.
    await sql`DELETE FROM cart_items WHERE cart_id IN (SELECT id FROM carts WHERE user_id IN ${sql(buyers.map((b) => b.id))})`;

    const service = await startService(options.databaseUrl, jwtSecret, options.env ?? {}, { writable: true });
    try {
      const authorizations = await Promise.all(
        buyers.map(
          async (buyer) =>
            `Bearer ${(await tokens.issue({ userId: buyer.id, tokenVersion: Number(buyer.token_version), role: buyer.role })).token}`,
        ),
      );
      for (const authorization of authorizations) {
        const added = await fetch(`${service.baseUrl}/v1/me/cart/items`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ product_id: productId, license_id: licenseId }),
        });
        const text = await added.text();
        if (added.status !== 201) throw new Error(`race: a buyer's cart line answered ${added.status}: ${text}`);
      }
      const started = performance.now();
      const answers = await Promise.all(
        authorizations.map(async (authorization) => {
          const response = await fetch(`${service.baseUrl}/v1/me/checkout`, {
            method: 'POST',
            headers: { authorization, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify({ billing_email: 'buyer@example.test', payment_method: 'manual' }),
          });
          const body = (await response.json().catch(() => ({}))) as { code?: string };
          return response.status === 201 ? '201' : `${response.status} ${body.code ?? ''}`.trim();
        }),
      );
      const durationMs = performance.now() - started;
      const tally: Record<string, number> = {};
      for (const answer of answers) tally[answer] = (tally[answer] ?? 0) + 1;
      if ((tally['201'] ?? 0) !== 1) throw new Error(`race: expected one order, got ${JSON.stringify(tally)}`);
      return { buyers: count, durationMs, answers: tally };
    } finally {
      await service.stop();
    }
  } finally {
    if (productId) await sql`UPDATE products SET status = 'inactive' WHERE id = ${productId}`;
    await sql.end({ timeout: 5 });
  }
}
