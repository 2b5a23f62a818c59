-- The generation replicas watch (keyward.Generations): one row, bumped after
-- every IAM write that can change what a principal may do, polled by every
-- Keyward process on the database to drop its caches.
CREATE TABLE keyward_generation (
	id    {{int32}} PRIMARY KEY,
	value {{int64}} NOT NULL
);
INSERT INTO keyward_generation (id, value) VALUES (1, 0);
