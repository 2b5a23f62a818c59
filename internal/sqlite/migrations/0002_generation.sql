-- The generation replicas watch (keyward.Generations): one row, bumped after
-- every IAM write that can change what a principal may do, polled by every
-- Keyward process on this file to drop its caches.
CREATE TABLE keyward_generation (
	id    INTEGER PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT INTO keyward_generation (id, value) VALUES (1, 0);
