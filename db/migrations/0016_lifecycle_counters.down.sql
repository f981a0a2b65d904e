SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
-- RFC: docs/rfc/0001-data-lifecycle-triggers-and-views.md

-- The counter columns keep their last values (RFC 0001, rollback plan); their comments go back to 0003-0008's.
COMMENT ON COLUMN discount_codes.usage_count IS 'Denormalized count of discount_code_usage rows';
COMMENT ON COLUMN carts.total IS NULL;
COMMENT ON COLUMN carts.tax_total IS NULL;
COMMENT ON COLUMN carts.subtotal IS NULL;
COMMENT ON COLUMN carts.item_count IS 'Denormalized count of cart_items rows';
COMMENT ON COLUMN products.average_rating IS 'Denormalized mean of product_reviews.rating, 0.00-5.00';
COMMENT ON COLUMN products.review_count IS NULL;
COMMENT ON COLUMN products.sale_count IS NULL;
COMMENT ON COLUMN products.favorite_count IS NULL;
COMMENT ON COLUMN groups.post_count IS 'Denormalized count of group_posts rows';
COMMENT ON COLUMN groups.member_count IS 'Denormalized count of active group_members rows';
COMMENT ON COLUMN hashtags.last_used_at IS NULL;
COMMENT ON COLUMN hashtags.usage_count IS 'Denormalized count of post_hashtags rows';
COMMENT ON COLUMN posts.repost_count IS 'Denormalized count of posts reposting this one';
COMMENT ON COLUMN posts.comment_count IS 'Denormalized count of post_comments rows';
COMMENT ON COLUMN posts.like_count IS 'Denormalized count of post_likes rows';
COMMENT ON COLUMN rooms.message_count IS 'Denormalized count of messages rows';
COMMENT ON COLUMN rooms.member_count IS 'Denormalized count of room_members rows';
COMMENT ON COLUMN playlists.follower_count IS 'Denormalized count of playlist_followers rows';
COMMENT ON COLUMN playlists.duration_seconds IS 'Denormalized total duration of the tracks, in seconds';
COMMENT ON COLUMN playlists.track_count IS 'Denormalized count of playlist_tracks rows';
COMMENT ON COLUMN tracks.download_count IS 'Denormalized count of track_downloads rows';
COMMENT ON COLUMN tracks.comment_count IS 'Denormalized count of track_comments rows';
COMMENT ON COLUMN tracks.like_count IS 'Denormalized count of track_likes rows';
COMMENT ON COLUMN tracks.play_count IS 'Denormalized count of plays';
COMMENT ON COLUMN user_profiles.playlist_count IS 'Denormalized count of the user''s playlists';
COMMENT ON COLUMN user_profiles.track_count IS 'Denormalized count of the user''s tracks';
COMMENT ON COLUMN user_profiles.following_count IS 'Denormalized count of follows rows whose follower_id is this user';
COMMENT ON COLUMN user_profiles.follower_count IS 'Denormalized count of follows rows whose following_id is this user';

DROP TRIGGER trg_discount_code_usage_usage_count ON discount_code_usage;
DROP FUNCTION update_discount_code_usage_count();

DROP TRIGGER trg_carts_total ON carts;
DROP FUNCTION set_cart_total();
DROP TRIGGER trg_cart_items_cart_totals ON cart_items;
DROP FUNCTION update_cart_totals();

DROP TRIGGER trg_orders_sale_counts_on_delete ON orders;
DROP TRIGGER trg_orders_sale_counts ON orders;
DROP FUNCTION update_sale_counts_for_order();
DROP TRIGGER trg_order_items_sale_count ON order_items;
DROP FUNCTION update_product_sale_count();
DROP TRIGGER trg_product_reviews_review_stats ON product_reviews;
DROP FUNCTION update_product_review_stats();
DROP TRIGGER trg_product_favorites_favorite_count ON product_favorites;
DROP FUNCTION update_product_favorite_count();

DROP TRIGGER trg_posts_usage_counts_on_delete ON posts;
DROP TRIGGER trg_posts_usage_counts ON posts;
DROP FUNCTION update_usage_counts_for_post();
DROP TRIGGER trg_group_posts_post_count ON group_posts;
DROP FUNCTION update_group_post_count();
DROP TRIGGER trg_group_members_member_count ON group_members;
DROP FUNCTION update_group_member_count();
DROP TRIGGER trg_post_hashtags_hashtag_usage ON post_hashtags;
DROP FUNCTION update_hashtag_usage();

DROP TRIGGER trg_posts_repost_count ON posts;
DROP FUNCTION update_post_repost_count();
DROP TRIGGER trg_post_comments_comment_count ON post_comments;
DROP FUNCTION update_post_comment_count();
DROP TRIGGER trg_post_likes_like_count ON post_likes;
DROP FUNCTION update_post_like_count();

DROP TRIGGER trg_messages_message_count ON messages;
DROP FUNCTION update_room_message_count();
DROP TRIGGER trg_room_members_member_count ON room_members;
DROP FUNCTION update_room_member_count();

DROP TRIGGER trg_playlist_followers_follower_count ON playlist_followers;
DROP FUNCTION update_playlist_follower_count();
DROP TRIGGER trg_tracks_playlist_totals_on_delete ON tracks;
DROP TRIGGER trg_tracks_playlist_totals ON tracks;
DROP FUNCTION update_playlist_totals_for_track();
DROP TRIGGER trg_playlist_tracks_playlist_totals ON playlist_tracks;
DROP FUNCTION update_playlist_track_totals();

DROP TRIGGER trg_track_downloads_download_count ON track_downloads;
DROP FUNCTION update_track_download_count();
DROP TRIGGER trg_track_comments_comment_count ON track_comments;
DROP FUNCTION update_track_comment_count();
DROP TRIGGER trg_track_likes_like_count ON track_likes;
DROP FUNCTION update_track_like_count();
DROP TRIGGER trg_playback_history_play_count ON playback_history;
DROP FUNCTION update_track_play_count();

DROP TRIGGER trg_user_profiles_counts ON user_profiles;
DROP FUNCTION set_profile_counts();
DROP TRIGGER trg_playlists_profile_playlist_count ON playlists;
DROP FUNCTION update_profile_playlist_count();
DROP TRIGGER trg_tracks_profile_track_count ON tracks;
DROP FUNCTION update_profile_track_count();
DROP TRIGGER trg_follows_profile_counts ON follows;
DROP FUNCTION update_profile_follow_counts();

DROP FUNCTION counter_changes(uuid, integer, numeric, uuid, integer, numeric);
