-- Self-service: organizations register themselves (and wait for a coordinator's approval),
-- account tokens sent by e-mail (confirmation, password reset, invitation), and contact
-- requests (对接请求) between organizations.

-- Existing, demo and staff-created organizations are approved; self-registered ones start
-- 'pending' (the service sets it). A pending or returned organization's records are seen only
-- by itself and staff (service/domain/access.py).
ALTER TABLE organizations
    ADD COLUMN approval_state text NOT NULL DEFAULT 'approved'
        CHECK (approval_state IN ('pending', 'approved', 'returned')),
    ADD COLUMN return_reason  text CHECK (return_reason IS NULL OR length(return_reason) <= 500),
    ADD COLUMN reviewed_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN reviewed_at    timestamptz,
    -- Disclosed with the contact person and phone (to the other side of an accepted request).
    ADD COLUMN contact_email  text CHECK (contact_email IS NULL OR length(contact_email) <= 254);
CREATE INDEX organizations_pending ON organizations (created_at) WHERE approval_state <> 'approved';

-- Single-use, expiring tokens sent by e-mail. Only the SHA-256 digest is stored.
-- confirm: confirms users.email; reset: sets a new password; invite: creates a user of org_id.
CREATE TABLE account_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose     text NOT NULL CHECK (purpose IN ('confirm', 'reset', 'invite')),
    user_id     bigint REFERENCES users (id) ON DELETE CASCADE,
    org_id      bigint REFERENCES organizations (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role        text CHECK (role IS NULL OR role IN ('enterprise', 'university')),
    created_by  bigint REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (purpose = 'invite' OR user_id IS NOT NULL),
    CHECK (purpose <> 'invite' OR (org_id IS NOT NULL AND role IS NOT NULL))
);
CREATE INDEX account_tokens_user ON account_tokens (user_id);
CREATE INDEX account_tokens_org ON account_tokens (org_id);

CREATE TABLE contact_requests (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_org       bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    to_org         bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    target_kind    text NOT NULL CHECK (target_kind IN ('need', 'job', 'capability', 'talent_pool')),
    target_id      bigint NOT NULL,
    message        text NOT NULL CHECK (length(message) BETWEEN 1 AND 500),
    proposed_times timestamptz[] NOT NULL DEFAULT '{}' CHECK (cardinality(proposed_times) <= 3),
    state          text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'accepted', 'declined', 'withdrawn')),
    reason         text CHECK (reason IS NULL OR length(reason) <= 500),
    answered_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    answered_at    timestamptz,
    CHECK (from_org <> to_org)
);
-- One open request per (requesting organization, target record).
CREATE UNIQUE INDEX contact_requests_open ON contact_requests (from_org, target_kind, target_id)
    WHERE state = 'pending';
CREATE INDEX contact_requests_from ON contact_requests (from_org, created_at DESC);
CREATE INDEX contact_requests_to ON contact_requests (to_org, created_at DESC);
