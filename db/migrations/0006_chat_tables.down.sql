SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';

DROP TABLE typing_indicators;
DROP TABLE user_presence;
DROP TABLE direct_messages;
DROP TABLE message_reactions;
DROP TABLE messages;
DROP TABLE room_members;
DROP TABLE rooms;
