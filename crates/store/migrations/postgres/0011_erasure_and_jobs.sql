-- Background jobs that one node at a time runs (the retention purge): the
-- node holding a job's lease until `until_ms`. (Erasure needs nothing on
-- PostgreSQL: a deleted row is invisible to every query at once, and
-- VACUUM reclaims it.)
CREATE TABLE job_leases (
    name      TEXT PRIMARY KEY,
    holder    TEXT NOT NULL,
    until_ms  BIGINT NOT NULL
);
