-- Upgrade step 12 → 13: a remembered answer also remembers what was asked (the SHA-256 of the call's
-- arguments), so that a key used again for a different request is refused instead of answered with
-- the first request's result.

ALTER TABLE idempotency ADD COLUMN request_sha256 TEXT NOT NULL DEFAULT '';
