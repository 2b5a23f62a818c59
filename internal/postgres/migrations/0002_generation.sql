-- The generation replicas watch: one row, bumped after every IAM write that
-- can change what a principal may do, polled by every Keyward process to
-- drop its caches (keyward.Generations).
CREATE TABLE keyward_generation (
	id    INT PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO keyward_generation (id, value) VALUES (1, 0);
