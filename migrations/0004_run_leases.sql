-- Each run carries its own lease expiry, set by the worker that holds it (its claim and every
-- heartbeat add that worker's --lease to now()). Another worker takes over only a run whose lease
-- has expired, whatever its own --lease: before this, a worker started with a shorter lease took
-- over healthy runs whose owner renewed every lease/3 of its own, longer, setting.
ALTER TABLE runs ADD COLUMN lease_expires_at timestamptz;
UPDATE runs SET lease_expires_at = heartbeat_at + interval '30 seconds' WHERE state = 'running';
