SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE group_posts;
DROP TABLE group_members;
DROP TABLE groups;
DROP TABLE post_hashtags;
DROP TABLE hashtags;
DROP TABLE post_comments;
DROP TABLE post_likes;
DROP TABLE posts;
DROP TABLE blocks;
DROP TABLE follows;
