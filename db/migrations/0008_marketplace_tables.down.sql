SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE transactions;
DROP TABLE discount_code_usage;
DROP TABLE discount_codes;
DROP TABLE seller_payouts;
DROP TABLE product_favorites;
DROP TABLE product_reviews;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE cart_items;
DROP TABLE carts;
DROP TABLE product_licenses;
DROP TABLE products;
