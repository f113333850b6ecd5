-- Accounts: users (one organization each, one role), bearer tokens (login sessions and API tokens
-- for integrations) and the audit log of every write.
-- Only SHA-256 digests of tokens are stored and only argon2 hashes of passwords, so a copy of the
-- database does not let anyone sign in.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         text NOT NULL CHECK (length(login) BETWEEN 3 AND 100),
    display_name  text NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
    role          text NOT NULL CHECK (role IN ('enterprise', 'university', 'coordinator', 'admin')),
    -- Enterprise and university users act for their organization; staff may belong to an agency.
    org_id        bigint REFERENCES organizations (id) ON DELETE CASCADE,
    password_hash text,
    is_active     boolean NOT NULL DEFAULT true,
    demo_key      text UNIQUE,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role NOT IN ('enterprise', 'university') OR org_id IS NOT NULL)
);
-- Logins compare case-insensitively: Coordinator@Demo and coordinator@demo are one account.
CREATE UNIQUE INDEX users_login ON users (lower(login));
CREATE INDEX users_org ON users (org_id);

CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION duijie_touch();

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    kind         text NOT NULL CHECK (kind IN ('session', 'api')),
    -- A token bound to a user acts with the user's current role and organization (so disabling
    -- the user or changing the role takes effect at once); a bare API token carries its own.
    user_id      bigint REFERENCES users (id) ON DELETE CASCADE,
    role         text CHECK (role IN ('enterprise', 'university', 'coordinator', 'admin')),
    org_id       bigint REFERENCES organizations (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    CHECK (user_id IS NOT NULL OR role IS NOT NULL),
    CHECK (user_id IS NOT NULL OR role NOT IN ('enterprise', 'university') OR org_id IS NOT NULL)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Who changed what, when, with the record before and after. No foreign keys: the log outlives
-- the users, tokens and records it mentions.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     bigint,
    token_id    bigint,
    role        text NOT NULL,
    org_id      bigint,
    action      text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    resource    text NOT NULL,
    resource_id bigint,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_resource ON audit_log (resource, resource_id);
CREATE INDEX audit_log_user ON audit_log (user_id);
CREATE INDEX audit_log_at ON audit_log (at);
