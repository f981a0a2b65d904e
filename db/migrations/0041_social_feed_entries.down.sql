SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TRIGGER trg_group_members_feed ON group_members;
DROP FUNCTION feed_membership_changed();
DROP TRIGGER trg_group_posts_feed ON group_posts;
DROP FUNCTION feed_group_post_added();
DROP TRIGGER trg_follows_feed ON follows;
DROP FUNCTION feed_follow_changed();
DROP TRIGGER trg_posts_feed_fan_out ON posts;
DROP FUNCTION feed_fan_out_post();
DROP FUNCTION feed_lock_key(uuid);
DROP TABLE feed_entries;
