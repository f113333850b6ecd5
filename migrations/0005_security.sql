-- Security hardening (issue #15): rate limits shared by every server process, API tokens with a
-- maximum lifetime, a tamper-evident audit log that also records round writes, and proposed
-- organization changes that a coordinator approves.

-- Rate limits: one token bucket per key (a user, a bare token, or a client address), updated by
-- one INSERT … ON CONFLICT DO UPDATE … RETURNING per write, so every `duijie serve` process on the
-- database spends from the same bucket. Unlogged: a crash empties it, which only refills buckets.
CREATE UNLOGGED TABLE rate_limits (
    key      text PRIMARY KEY CHECK (length(key) <= 100),
    tokens   double precision NOT NULL,
    at       timestamptz NOT NULL,
    allowed  boolean NOT NULL
);

-- Every token expires. Tokens made before this migration get 90 days from now.
UPDATE api_tokens SET expires_at = greatest(created_at, now()) + interval '90 days'
WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;

-- The audit log: more verbs than create/update/delete, so a round's life reads as what happened
-- (resource stays the table, so resource + resource_id is the whole history of one record).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN (
    'create', 'update', 'delete', 'transition', 'publish', 'respond', 'outcome', 'import',
    'cancel', 'revoke', 'propose', 'approve', 'reject'));

-- Hash chain: each row carries the hash of the previous one (in chain order) and its own hash
-- over its content and that previous hash. The trigger takes a transaction-level advisory lock
-- before it reads the last row, so concurrent writers queue up (until each commits) and cannot
-- fork the chain; `duijie audit verify` recomputes it.
ALTER TABLE audit_log
    ADD COLUMN chain_seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash      bytea;

CREATE FUNCTION duijie_audit_hash(prev bytea, a audit_log) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(coalesce(prev, ''::bytea) || convert_to(concat_ws(E'\x1f',
        a.chain_seq::text,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(a.user_id::text, '-'), coalesce(a.token_id::text, '-'), a.role,
        coalesce(a.org_id::text, '-'), a.action, a.resource, coalesce(a.resource_id::text, '-'),
        coalesce(a.before::text, '-'), coalesce(a.after::text, '-')), 'UTF8'))
$$;

CREATE FUNCTION duijie_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last record;
BEGIN
    -- A fresh snapshot per statement (READ COMMITTED): after the lock, the last row committed
    -- by the previous holder is visible.
    PERFORM pg_advisory_xact_lock(7291530881);
    SELECT chain_seq, hash INTO last FROM audit_log ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
    NEW.prev_hash := last.hash;
    NEW.hash := duijie_audit_hash(NEW.prev_hash, NEW);
    RETURN NEW;
END
$$;

-- Rows written before this migration join the chain in id order.
DO $$
DECLARE
    r audit_log;
    prev bytea := NULL;
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        n := n + 1;
        r.chain_seq := n;
        r.prev_hash := prev;
        r.hash := duijie_audit_hash(prev, r);
        UPDATE audit_log SET chain_seq = n, prev_hash = prev, hash = r.hash WHERE id = r.id;
        prev := r.hash;
    END LOOP;
END
$$;

ALTER TABLE audit_log ALTER COLUMN chain_seq SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_seq);
CREATE INDEX audit_log_resource_at ON audit_log (resource, at);

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION duijie_audit_chain();

-- Append-only for the application: rows are never changed or removed (a superuser can still do
-- it, and the chain then shows where).
CREATE FUNCTION duijie_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION duijie_audit_append_only();

-- An organization proposes a change to the fields that decide who a round takes in (name,
-- kind, credit code, city, tags); a coordinator approves (the change is applied) or rejects.
CREATE TABLE organization_change_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    changes         jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'approved', 'rejected')),
    requested_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    decided_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    decision_reason text CHECK (length(decision_reason) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz
);
CREATE INDEX organization_change_requests_pending
    ON organization_change_requests (created_at) WHERE state = 'pending';
CREATE INDEX organization_change_requests_org ON organization_change_requests (org_id);
