SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

-- spec §10.1, §20.2 (the spec's unique index idx_products_slug duplicates the constraint: ADR 0004)
CREATE TABLE products (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id UUID NOT NULL,
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    category VARCHAR(100) NOT NULL,
    tags VARCHAR(50)[],
    price DECIMAL(10,2) NOT NULL,
    currency CHAR(3) NOT NULL DEFAULT 'USD',
    pricing_model VARCHAR(50) NOT NULL DEFAULT 'fixed',
    minimum_price DECIMAL(10,2),
    preview_file_id UUID,
    demo_url TEXT,
    download_file_ids UUID[],
    image_file_ids UUID[],
    thumbnail_url TEXT,
    bpm INTEGER,
    musical_key VARCHAR(10),
    genre VARCHAR(100),
    formats VARCHAR(50)[],
    license_type VARCHAR(100),
    status VARCHAR(50) NOT NULL DEFAULT 'draft',
    view_count INTEGER NOT NULL DEFAULT 0,
    favorite_count INTEGER NOT NULL DEFAULT 0,
    sale_count INTEGER NOT NULL DEFAULT 0,
    review_count INTEGER NOT NULL DEFAULT 0,
    average_rating DECIMAL(3,2) DEFAULT 0,
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_products_users FOREIGN KEY (seller_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_products_files FOREIGN KEY (preview_file_id) REFERENCES files(id) ON DELETE SET NULL,
    CONSTRAINT uq_products_slug UNIQUE (slug),
    CONSTRAINT chk_products_price_positive CHECK (price >= 0),
    CONSTRAINT chk_products_rating_range CHECK (average_rating >= 0 AND average_rating <= 5),
    CONSTRAINT chk_products_category_valid CHECK (category IN ('sample', 'beat', 'preset', 'template', 'service')),
    CONSTRAINT chk_products_pricing_model_valid CHECK (pricing_model IN ('fixed', 'pwyw', 'free')),
    CONSTRAINT chk_products_status_valid CHECK (status IN ('draft', 'active', 'inactive', 'suspended'))
);
CREATE INDEX idx_products_seller_id ON products(seller_id);
CREATE INDEX idx_products_category ON products(category);
CREATE INDEX idx_products_status ON products(status);
CREATE INDEX idx_products_category_status ON products(category, status);
CREATE INDEX idx_products_published_at_desc ON products(published_at DESC) WHERE published_at IS NOT NULL;
CREATE INDEX idx_products_price ON products(price);
CREATE INDEX idx_products_sale_count_desc ON products(sale_count DESC);
CREATE INDEX idx_products_preview_file_id ON products(preview_file_id) WHERE preview_file_id IS NOT NULL;
CREATE INDEX idx_products_tags_gin ON products USING GIN(tags);
CREATE INDEX idx_products_search_gin ON products USING GIN(to_tsvector('english', name || ' ' || description));
CREATE TRIGGER trg_products_updated_at BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE products IS 'Marketplace products sold by creators: samples, beats, presets, templates, services';
COMMENT ON COLUMN products.category IS 'sample, beat, preset, template or service';
COMMENT ON COLUMN products.pricing_model IS 'fixed, pwyw (pay what you want) or free';
COMMENT ON COLUMN products.minimum_price IS 'Lowest accepted price for pwyw';
COMMENT ON COLUMN products.preview_file_id IS 'Public preview file; set NULL when the file is deleted';
COMMENT ON COLUMN products.download_file_ids IS 'Array of file IDs delivered after purchase (an array cannot carry a FK)';
COMMENT ON COLUMN products.image_file_ids IS 'Array of file IDs of product images (an array cannot carry a FK)';
COMMENT ON COLUMN products.formats IS 'WAV, MP3, FLAC, VST, etc.';
COMMENT ON COLUMN products.status IS 'draft, active, inactive or suspended';
COMMENT ON COLUMN products.average_rating IS 'Denormalized mean of product_reviews.rating, 0.00-5.00';

-- spec §10.2 (deleted_at added: a license offer is published by the seller and seen by buyers)
CREATE TABLE product_licenses (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id UUID NOT NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    price DECIMAL(10,2) NOT NULL,
    terms TEXT NOT NULL,
    usage_rights JSONB,
    is_exclusive BOOLEAN NOT NULL DEFAULT false,
    distribution_limit INTEGER,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_product_licenses_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE
);
CREATE INDEX idx_product_licenses_product_id ON product_licenses(product_id);
CREATE TRIGGER trg_product_licenses_updated_at BEFORE UPDATE ON product_licenses
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE product_licenses IS 'License tiers offered for a product, each with its own price and terms';
COMMENT ON COLUMN product_licenses.usage_rights IS 'Structured usage rights';
COMMENT ON COLUMN product_licenses.distribution_limit IS 'Max units can be sold; NULL means unlimited';

-- spec §10.3 (the spec's unique index idx_carts_user_id duplicates the constraint: ADR 0004)
CREATE TABLE carts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    item_count INTEGER NOT NULL DEFAULT 0,
    subtotal DECIMAL(10,2) NOT NULL DEFAULT 0,
    tax_total DECIMAL(10,2) NOT NULL DEFAULT 0,
    total DECIMAL(10,2) NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_carts_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_carts_user_id UNIQUE (user_id)
);
CREATE TRIGGER trg_carts_updated_at BEFORE UPDATE ON carts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE carts IS 'Shopping cart of a user, one per user, with denormalized totals';
COMMENT ON COLUMN carts.item_count IS 'Denormalized count of cart_items rows';

-- spec §10.4 (created_at/updated_at added: ADR 0002)
CREATE TABLE cart_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    cart_id UUID NOT NULL,
    product_id UUID NOT NULL,
    license_id UUID,
    price DECIMAL(10,2) NOT NULL,
    added_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_cart_items_carts FOREIGN KEY (cart_id) REFERENCES carts(id) ON DELETE CASCADE,
    CONSTRAINT fk_cart_items_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE,
    CONSTRAINT fk_cart_items_product_licenses FOREIGN KEY (license_id) REFERENCES product_licenses(id) ON DELETE SET NULL,
    CONSTRAINT uq_cart_items_cart_product UNIQUE (cart_id, product_id)
);
CREATE INDEX idx_cart_items_cart_id ON cart_items(cart_id);
CREATE INDEX idx_cart_items_product_id ON cart_items(product_id);
CREATE INDEX idx_cart_items_license_id ON cart_items(license_id) WHERE license_id IS NOT NULL;
CREATE TRIGGER trg_cart_items_updated_at BEFORE UPDATE ON cart_items
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE cart_items IS 'Products in a cart, at most once each';
COMMENT ON COLUMN cart_items.license_id IS 'Chosen license tier; NULL for the product''s base license';
COMMENT ON COLUMN cart_items.price IS 'Price snapshot at add time';

-- spec §10.5: user_id is ON DELETE RESTRICT, orders are kept 7 years (legal retention, ADR 0005);
-- the spec's unique index idx_orders_order_number duplicates the constraint (ADR 0004)
CREATE TABLE orders (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    order_number VARCHAR(50) NOT NULL,
    subtotal DECIMAL(10,2) NOT NULL,
    tax_total DECIMAL(10,2) NOT NULL,
    discount_total DECIMAL(10,2) NOT NULL DEFAULT 0,
    total DECIMAL(10,2) NOT NULL,
    currency CHAR(3) NOT NULL DEFAULT 'USD',
    payment_method VARCHAR(50),
    payment_intent_id VARCHAR(255),
    status order_status NOT NULL DEFAULT 'pending',
    billing_email VARCHAR(255) NOT NULL,
    billing_name VARCHAR(255),
    billing_address JSONB,
    paid_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    refunded_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE RESTRICT,
    CONSTRAINT uq_orders_order_number UNIQUE (order_number),
    CONSTRAINT chk_orders_total_positive CHECK (total >= 0)
);
CREATE INDEX idx_orders_user_id_created_at ON orders(user_id, created_at DESC);
CREATE INDEX idx_orders_status ON orders(status);
CREATE INDEX idx_orders_created_at_desc ON orders(created_at DESC);
CREATE TRIGGER trg_orders_updated_at BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE orders IS 'Marketplace orders; kept 7 years (legal obligation, spec §18.1), so the buyer cannot be hard-deleted (ADR 0005)';
COMMENT ON COLUMN orders.user_id IS 'Buyer; RESTRICT because orders outlive accounts, which are anonymised instead (ADR 0005)';
COMMENT ON COLUMN orders.order_number IS 'Human-readable (ORD-2025-00001)';
COMMENT ON COLUMN orders.payment_method IS 'stripe, paypal';
COMMENT ON COLUMN orders.payment_intent_id IS 'Stripe payment intent ID';

-- spec §10.6 (updated_at added: ADR 0002)
CREATE TABLE order_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id UUID NOT NULL,
    product_id UUID NOT NULL,
    license_id UUID,
    product_name VARCHAR(255) NOT NULL,
    product_description TEXT,
    seller_id UUID NOT NULL,
    price DECIMAL(10,2) NOT NULL,
    download_file_ids UUID[],
    download_count INTEGER NOT NULL DEFAULT 0,
    license_key VARCHAR(255),
    license_terms TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_order_items_orders FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE,
    CONSTRAINT fk_order_items_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE RESTRICT,
    CONSTRAINT fk_order_items_product_licenses FOREIGN KEY (license_id) REFERENCES product_licenses(id) ON DELETE SET NULL,
    CONSTRAINT fk_order_items_users FOREIGN KEY (seller_id) REFERENCES users(id) ON DELETE RESTRICT
);
CREATE INDEX idx_order_items_order_id ON order_items(order_id);
CREATE INDEX idx_order_items_product_id ON order_items(product_id);
CREATE INDEX idx_order_items_seller_id ON order_items(seller_id);
CREATE INDEX idx_order_items_license_id ON order_items(license_id) WHERE license_id IS NOT NULL;
CREATE TRIGGER trg_order_items_updated_at BEFORE UPDATE ON order_items
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE order_items IS 'Lines of an order, with a snapshot of the product and price at purchase time; kept 7 years (spec §18.1)';
COMMENT ON COLUMN order_items.product_id IS 'RESTRICT: a product that was sold cannot be hard-deleted';
COMMENT ON COLUMN order_items.license_id IS 'License tier bought; set NULL if the tier is deleted, license_terms keeps the text';
COMMENT ON COLUMN order_items.seller_id IS 'Seller at purchase time; RESTRICT for the 7-year legal retention';
COMMENT ON COLUMN order_items.download_file_ids IS 'Array of file IDs the buyer may download (an array cannot carry a FK)';
COMMENT ON COLUMN order_items.license_key IS 'Generated license key';
COMMENT ON COLUMN order_items.license_terms IS 'Snapshot of the license terms at purchase time';

-- spec §10.7
CREATE TABLE product_reviews (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    product_id UUID NOT NULL,
    user_id UUID NOT NULL,
    order_item_id UUID NOT NULL,
    rating INTEGER NOT NULL,
    title VARCHAR(255),
    content TEXT,
    is_verified_purchase BOOLEAN NOT NULL DEFAULT true,
    seller_response TEXT,
    seller_responded_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    deleted_at TIMESTAMPTZ,
    CONSTRAINT fk_product_reviews_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE,
    CONSTRAINT fk_product_reviews_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_product_reviews_order_items FOREIGN KEY (order_item_id) REFERENCES order_items(id) ON DELETE CASCADE,
    CONSTRAINT uq_product_reviews_order_item UNIQUE (order_item_id),
    CONSTRAINT chk_product_reviews_rating CHECK (rating >= 1 AND rating <= 5),
    CONSTRAINT chk_product_reviews_content_length CHECK (LENGTH(content) >= 10 AND LENGTH(content) <= 2000)
);
CREATE INDEX idx_product_reviews_product_id_created_at ON product_reviews(product_id, created_at DESC);
CREATE INDEX idx_product_reviews_user_id ON product_reviews(user_id);
CREATE INDEX idx_product_reviews_rating ON product_reviews(product_id, rating);
CREATE TRIGGER trg_product_reviews_updated_at BEFORE UPDATE ON product_reviews
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE product_reviews IS 'Buyer reviews of products, one per purchased order item';
COMMENT ON COLUMN product_reviews.rating IS '1-5';
COMMENT ON COLUMN product_reviews.order_item_id IS 'The purchase being reviewed; at most one review per purchase';

-- spec §10.8 (updated_at added: ADR 0002)
CREATE TABLE product_favorites (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    product_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_product_favorites_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT fk_product_favorites_products FOREIGN KEY (product_id) REFERENCES products(id) ON DELETE CASCADE,
    CONSTRAINT uq_product_favorites_user_product UNIQUE (user_id, product_id)
);
CREATE INDEX idx_product_favorites_user_id ON product_favorites(user_id);
CREATE INDEX idx_product_favorites_product_id_created_at ON product_favorites(product_id, created_at DESC);
CREATE TRIGGER trg_product_favorites_updated_at BEFORE UPDATE ON product_favorites
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE product_favorites IS 'Products a user saved as favorites';

-- spec §10.9: seller_id is ON DELETE RESTRICT, payouts are financial records kept 7 years (ADR 0005)
CREATE TABLE seller_payouts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    seller_id UUID NOT NULL,
    payout_number VARCHAR(50) NOT NULL,
    amount DECIMAL(10,2) NOT NULL,
    currency CHAR(3) NOT NULL DEFAULT 'USD',
    payout_method VARCHAR(50) NOT NULL,
    payout_account_id VARCHAR(255),
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    processed_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    failure_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_seller_payouts_users FOREIGN KEY (seller_id) REFERENCES users(id) ON DELETE RESTRICT,
    CONSTRAINT uq_seller_payouts_payout_number UNIQUE (payout_number),
    CONSTRAINT chk_seller_payouts_amount_positive CHECK (amount > 0),
    CONSTRAINT chk_seller_payouts_status_valid CHECK (status IN ('pending', 'processing', 'completed', 'failed'))
);
CREATE INDEX idx_seller_payouts_seller_id_created_at ON seller_payouts(seller_id, created_at DESC);
CREATE INDEX idx_seller_payouts_status ON seller_payouts(status);
CREATE TRIGGER trg_seller_payouts_updated_at BEFORE UPDATE ON seller_payouts
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE seller_payouts IS 'Payments of earnings to sellers; financial records kept 7 years, so the seller cannot be hard-deleted (ADR 0005)';
COMMENT ON COLUMN seller_payouts.seller_id IS 'RESTRICT because payouts outlive accounts, which are anonymised instead (ADR 0005)';
COMMENT ON COLUMN seller_payouts.payout_method IS 'stripe_connect, paypal, bank_transfer';
COMMENT ON COLUMN seller_payouts.payout_account_id IS 'Stripe Connect account ID';
COMMENT ON COLUMN seller_payouts.status IS 'pending, processing, completed or failed';

-- spec §10.10: UNIQUE (code) and the spec's unique index on UPPER(code) both stay:
-- the index is stricter (no two codes differing only by case)
CREATE TABLE discount_codes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    code VARCHAR(50) NOT NULL,
    discount_type VARCHAR(50) NOT NULL,
    discount_value DECIMAL(10,2) NOT NULL,
    minimum_purchase_amount DECIMAL(10,2),
    maximum_discount_amount DECIMAL(10,2),
    usage_limit INTEGER,
    usage_count INTEGER NOT NULL DEFAULT 0,
    valid_from TIMESTAMPTZ NOT NULL,
    valid_until TIMESTAMPTZ NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT true,
    creator_id UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_discount_codes_users FOREIGN KEY (creator_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT uq_discount_codes_code UNIQUE (code),
    CONSTRAINT chk_discount_codes_value_positive CHECK (discount_value > 0),
    CONSTRAINT chk_discount_codes_validity CHECK (valid_until > valid_from),
    CONSTRAINT chk_discount_codes_discount_type_valid CHECK (discount_type IN ('percentage', 'fixed_amount'))
);
CREATE UNIQUE INDEX idx_discount_codes_code ON discount_codes(UPPER(code));
CREATE INDEX idx_discount_codes_valid_period ON discount_codes(valid_from, valid_until) WHERE is_active = true;
CREATE INDEX idx_discount_codes_creator_id ON discount_codes(creator_id) WHERE creator_id IS NOT NULL;
CREATE TRIGGER trg_discount_codes_updated_at BEFORE UPDATE ON discount_codes
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE discount_codes IS 'Discount codes redeemable at checkout, case-insensitive';
COMMENT ON COLUMN discount_codes.discount_type IS 'percentage or fixed_amount';
COMMENT ON COLUMN discount_codes.discount_value IS 'Percent off for percentage, amount off for fixed_amount';
COMMENT ON COLUMN discount_codes.usage_limit IS 'Max number of uses; NULL means unlimited';
COMMENT ON COLUMN discount_codes.usage_count IS 'Denormalized count of discount_code_usage rows';
COMMENT ON COLUMN discount_codes.creator_id IS 'Seller or admin who created the code; set NULL when that user is deleted';

-- spec §10.11 (created_at/updated_at added: ADR 0002)
CREATE TABLE discount_code_usage (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    discount_code_id UUID NOT NULL,
    order_id UUID NOT NULL,
    user_id UUID NOT NULL,
    discount_amount DECIMAL(10,2) NOT NULL,
    used_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_discount_code_usage_discount_codes FOREIGN KEY (discount_code_id) REFERENCES discount_codes(id) ON DELETE CASCADE,
    CONSTRAINT fk_discount_code_usage_orders FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE CASCADE,
    CONSTRAINT fk_discount_code_usage_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    CONSTRAINT uq_discount_code_usage_order_id UNIQUE (order_id)
);
CREATE INDEX idx_discount_code_usage_discount_code_id ON discount_code_usage(discount_code_id);
CREATE INDEX idx_discount_code_usage_user_id ON discount_code_usage(user_id);
CREATE TRIGGER trg_discount_code_usage_updated_at BEFORE UPDATE ON discount_code_usage
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE discount_code_usage IS 'Redemption of a discount code on an order, at most one code per order';
COMMENT ON COLUMN discount_code_usage.discount_amount IS 'Amount actually taken off the order';

-- spec §10.12
CREATE TABLE transactions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    transaction_type VARCHAR(50) NOT NULL,
    user_id UUID,
    order_id UUID,
    payout_id UUID,
    amount DECIMAL(10,2) NOT NULL,
    currency CHAR(3) NOT NULL DEFAULT 'USD',
    provider VARCHAR(50) NOT NULL,
    provider_transaction_id VARCHAR(255),
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    metadata JSONB,
    completed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT fk_transactions_users FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL,
    CONSTRAINT fk_transactions_orders FOREIGN KEY (order_id) REFERENCES orders(id) ON DELETE SET NULL,
    CONSTRAINT fk_transactions_seller_payouts FOREIGN KEY (payout_id) REFERENCES seller_payouts(id) ON DELETE SET NULL,
    CONSTRAINT chk_transactions_transaction_type_valid CHECK (transaction_type IN ('payment', 'refund', 'payout', 'commission')),
    CONSTRAINT chk_transactions_status_valid CHECK (status IN ('pending', 'completed', 'failed', 'cancelled'))
);
CREATE INDEX idx_transactions_user_id_created_at ON transactions(user_id, created_at DESC);
CREATE INDEX idx_transactions_order_id ON transactions(order_id);
CREATE INDEX idx_transactions_payout_id ON transactions(payout_id) WHERE payout_id IS NOT NULL;
CREATE INDEX idx_transactions_transaction_type ON transactions(transaction_type);
CREATE INDEX idx_transactions_status ON transactions(status);
CREATE INDEX idx_transactions_created_at_desc ON transactions(created_at DESC);
CREATE TRIGGER trg_transactions_updated_at BEFORE UPDATE ON transactions
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
COMMENT ON TABLE transactions IS 'Financial transactions (payments, refunds, payouts); kept 7 years (legal obligation, spec §18.1)';
COMMENT ON COLUMN transactions.transaction_type IS 'payment, refund, payout or commission';
COMMENT ON COLUMN transactions.provider IS 'stripe, paypal';
COMMENT ON COLUMN transactions.provider_transaction_id IS 'Identifier of the transaction at the payment provider';
COMMENT ON COLUMN transactions.status IS 'pending, completed, failed or cancelled';
