-- Matchmaking rounds: open-challenge calls (揭榜挂帅) and recruitment fairs, their participants,
-- applications, background runs (a PostgreSQL job queue), immutable results, published pairings
-- with two-way confirmation and outcomes, and fair meeting schedules.

CREATE TABLE rounds (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('open_challenge', 'recruitment_fair')),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description         text NOT NULL DEFAULT '',
    scope_everyone      boolean NOT NULL DEFAULT false,
    scope_cities        text[] NOT NULL DEFAULT '{}',
    scope_industries    text[] NOT NULL DEFAULT '{}',
    scope_fields        text[] NOT NULL DEFAULT '{}',
    scope_tags          text[] NOT NULL DEFAULT '{}',
    registration_opens  date,
    registration_closes date,
    event_date          date,
    method              text NOT NULL DEFAULT 'optimal' CHECK (method IN ('optimal', 'stable', 'fair')),
    weights             jsonb NOT NULL DEFAULT '{}',
    demand_min          integer NOT NULL DEFAULT 0 CHECK (demand_min >= 0),
    demand_max          integer NOT NULL DEFAULT 1 CHECK (demand_max >= 1),
    supply_max          integer CHECK (supply_max >= 1),
    top_k               integer NOT NULL DEFAULT 10 CHECK (top_k BETWEEN 1 AND 50),
    slots               text[] NOT NULL DEFAULT '{}',
    tables              integer CHECK (tables >= 1),
    state               text NOT NULL DEFAULT 'draft'
                        CHECK (state IN ('draft', 'open', 'matching', 'review', 'published', 'closed')),
    published_run_id    bigint,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (demand_min <= demand_max),
    CHECK (registration_opens IS NULL OR registration_closes IS NULL
           OR registration_opens <= registration_closes)
);
CREATE TRIGGER rounds_touch BEFORE UPDATE ON rounds FOR EACH ROW EXECUTE FUNCTION duijie_touch();

-- Registered participants; participants by scope are computed when a run takes its snapshot.
CREATE TABLE round_entries (
    round_id   bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    side       text NOT NULL CHECK (side IN ('demand', 'supply')),
    item_id    bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, side, item_id)
);

-- 揭榜: a university or institute applies to an open challenge with one of its capabilities.
CREATE TABLE applications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id        bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    need_id         bigint NOT NULL REFERENCES rd_needs (id) ON DELETE CASCADE,
    capability_id   bigint NOT NULL REFERENCES capabilities (id) ON DELETE CASCADE,
    team            text NOT NULL DEFAULT '',
    proposal        text NOT NULL DEFAULT '',
    expected_months integer CHECK (expected_months BETWEEN 1 AND 120),
    price           bigint CHECK (price >= 0),
    status          text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'withdrawn')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (round_id, need_id, capability_id)
);

-- Coordinator decisions kept across re-runs.
CREATE TABLE round_constraints (
    round_id   bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    demand_id  bigint NOT NULL,
    supply_id  bigint NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('pin', 'forbid')),
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, demand_id, supply_id)
);

-- Runs are the job queue: workers claim queued (or abandoned) rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE runs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id         bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    params           jsonb NOT NULL,
    seed             bigint NOT NULL DEFAULT 0,
    input_snapshot   jsonb,
    summary          jsonb,
    stage            text NOT NULL DEFAULT 'queued',
    percent          integer NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    attempts         integer NOT NULL DEFAULT 0,
    max_attempts     integer NOT NULL DEFAULT 3,
    worker_id        text,
    heartbeat_at     timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz
);
CREATE INDEX runs_round ON runs (round_id, id DESC);
CREATE INDEX runs_claimable ON runs (id) WHERE state IN ('queued', 'running');
-- One active run per round: a second concurrent start fails on this index (409).
CREATE UNIQUE INDEX runs_one_active ON runs (round_id) WHERE state IN ('queued', 'running');

ALTER TABLE rounds ADD FOREIGN KEY (published_run_id) REFERENCES runs (id) ON DELETE SET NULL;

-- Results are written in the same transaction that marks the run succeeded, so a reader never
-- sees half of them; they are never updated afterwards.
CREATE TABLE run_candidates (
    run_id        bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    demand_id     bigint NOT NULL,
    supply_id     bigint NOT NULL,
    rank          integer NOT NULL,
    score         double precision NOT NULL,
    components    jsonb NOT NULL,
    matched_terms jsonb NOT NULL,
    applied       boolean NOT NULL DEFAULT false,
    chosen        boolean NOT NULL DEFAULT false,
    pinned        boolean NOT NULL DEFAULT false,
    forbidden     boolean NOT NULL DEFAULT false,
    reason        text,
    PRIMARY KEY (run_id, demand_id, supply_id)
);

-- Who took part in a run, as they were when it ran (titles and organizations may change later).
CREATE TABLE run_items (
    run_id        bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    side          text NOT NULL CHECK (side IN ('demand', 'supply')),
    item_id       bigint NOT NULL,
    title         text NOT NULL,
    org_id        bigint NOT NULL,
    org_name      text NOT NULL,
    city          text NOT NULL,
    industry_code text,
    tags          text[] NOT NULL DEFAULT '{}',
    is_challenge  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (run_id, side, item_id)
);

CREATE TABLE run_unmatched (
    run_id    bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    demand_id bigint NOT NULL,
    reasons   jsonb NOT NULL,
    PRIMARY KEY (run_id, demand_id)
);

CREATE TABLE pairings (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id         bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    run_id           bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    demand_id        bigint NOT NULL,
    supply_id        bigint NOT NULL,
    demand_org_id    bigint NOT NULL,
    supply_org_id    bigint NOT NULL,
    score            double precision NOT NULL,
    demand_response  text NOT NULL DEFAULT 'pending'
                     CHECK (demand_response IN ('pending', 'accepted', 'declined')),
    supply_response  text NOT NULL DEFAULT 'pending'
                     CHECK (supply_response IN ('pending', 'accepted', 'declined')),
    outcome          text NOT NULL DEFAULT 'none'
                     CHECK (outcome IN ('none', 'meeting_held', 'contract_signed', 'hired')),
    contract_amount  bigint CHECK (contract_amount >= 0),
    hires            integer CHECK (hires >= 0),
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (round_id, demand_id, supply_id)
);
CREATE TRIGGER pairings_touch BEFORE UPDATE ON pairings FOR EACH ROW EXECUTE FUNCTION duijie_touch();

-- Recruitment fairs: participants' unavailable slots and the meeting schedule.
CREATE TABLE fair_availability (
    round_id          bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    org_id            bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    unavailable_slots integer[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (round_id, org_id)
);

CREATE TABLE meetings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id      bigint NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    enterprise_id bigint NOT NULL,
    university_id bigint NOT NULL,
    slot          integer,
    table_no      integer,
    state         text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'unplaced', 'cancelled')),
    note          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (round_id, enterprise_id, university_id)
);
