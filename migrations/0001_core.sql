-- Core domain: organizations and the four kinds of records they publish.
-- Closed vocabularies are CHECK constraints on text (not enum types) so later migrations can widen
-- them without ALTER TYPE; the service validates first and names the field, these are the backstop.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Keeps version, updated_at and the trigram search text consistent whatever writes the row.
CREATE FUNCTION duijie_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE TABLE organizations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('enterprise', 'university', 'institute', 'agency')),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    credit_code   text UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NP-RTUW-Y]{18}$'),
    city          text NOT NULL,
    industry_code text,
    tags          text[] NOT NULL DEFAULT '{}',
    description   text NOT NULL DEFAULT '',
    contact_name  text,
    contact_phone text,
    website       text,
    demo_key      text UNIQUE,
    search_text   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'enterprise' OR credit_code IS NOT NULL)
);
CREATE INDEX organizations_city ON organizations (city);
CREATE INDEX organizations_industry ON organizations (industry_code text_pattern_ops);
CREATE INDEX organizations_tags ON organizations USING gin (tags);
CREATE INDEX organizations_search ON organizations USING gin (search_text gin_trgm_ops);

CREATE TABLE rd_needs (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id          bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description       text NOT NULL DEFAULT '',
    keywords          text[] NOT NULL DEFAULT '{}',
    field_codes       text[] NOT NULL DEFAULT '{}',
    cooperation_modes text[] NOT NULL DEFAULT '{}',
    budget_min        bigint CHECK (budget_min >= 0),
    budget_max        bigint CHECK (budget_max >= 0),
    deadline          date,
    is_challenge      boolean NOT NULL DEFAULT false,
    reward            bigint CHECK (reward >= 0),
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    demo_key          text UNIQUE,
    search_text       text NOT NULL DEFAULT '',
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max)
);
CREATE INDEX rd_needs_owner ON rd_needs (owner_id);
CREATE INDEX rd_needs_status ON rd_needs (status);
CREATE INDEX rd_needs_fields ON rd_needs USING gin (field_codes);
CREATE INDEX rd_needs_search ON rd_needs USING gin (search_text gin_trgm_ops);

CREATE TABLE job_openings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id      bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description   text NOT NULL DEFAULT '',
    skills        text[] NOT NULL DEFAULT '{}',
    majors        text[] NOT NULL DEFAULT '{}',
    min_education text NOT NULL CHECK (min_education IN ('大专', '本科', '硕士', '博士')),
    headcount     integer NOT NULL CHECK (headcount >= 1),
    city          text NOT NULL,
    salary_min    integer CHECK (salary_min >= 0),
    salary_max    integer CHECK (salary_max >= 0),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    demo_key      text UNIQUE,
    search_text   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max)
);
CREATE INDEX job_openings_owner ON job_openings (owner_id);
CREATE INDEX job_openings_status ON job_openings (status);
CREATE INDEX job_openings_city ON job_openings (city);
CREATE INDEX job_openings_search ON job_openings USING gin (search_text gin_trgm_ops);

CREATE TABLE capabilities (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id          bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('expertise', 'achievement', 'equipment')),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description       text NOT NULL DEFAULT '',
    keywords          text[] NOT NULL DEFAULT '{}',
    field_codes       text[] NOT NULL DEFAULT '{}',
    cooperation_modes text[] NOT NULL DEFAULT '{}',
    capacity          integer NOT NULL DEFAULT 1 CHECK (capacity >= 1),
    patent_number     text,
    contact           text,
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    demo_key          text UNIQUE,
    search_text       text NOT NULL DEFAULT '',
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX capabilities_owner ON capabilities (owner_id);
CREATE INDEX capabilities_status ON capabilities (status);
CREATE INDEX capabilities_fields ON capabilities USING gin (field_codes);
CREATE INDEX capabilities_search ON capabilities USING gin (search_text gin_trgm_ops);

CREATE TABLE talent_pools (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id        bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    major_name      text NOT NULL CHECK (length(major_name) BETWEEN 1 AND 60),
    major_code      text,
    degree_level    text NOT NULL CHECK (degree_level IN ('大专', '本科', '硕士', '博士')),
    graduation_year integer NOT NULL CHECK (graduation_year BETWEEN 1990 AND 2100),
    graduates       integer NOT NULL CHECK (graduates >= 1),
    skills          text[] NOT NULL DEFAULT '{}',
    city            text NOT NULL,
    status          text NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published', 'closed')),
    demo_key        text UNIQUE,
    search_text     text NOT NULL DEFAULT '',
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX talent_pools_owner ON talent_pools (owner_id);
CREATE INDEX talent_pools_city ON talent_pools (city);
CREATE INDEX talent_pools_search ON talent_pools USING gin (search_text gin_trgm_ops);

CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION duijie_touch();
CREATE TRIGGER rd_needs_touch BEFORE UPDATE ON rd_needs
    FOR EACH ROW EXECUTE FUNCTION duijie_touch();
CREATE TRIGGER job_openings_touch BEFORE UPDATE ON job_openings
    FOR EACH ROW EXECUTE FUNCTION duijie_touch();
CREATE TRIGGER capabilities_touch BEFORE UPDATE ON capabilities
    FOR EACH ROW EXECUTE FUNCTION duijie_touch();
CREATE TRIGGER talent_pools_touch BEFORE UPDATE ON talent_pools
    FOR EACH ROW EXECUTE FUNCTION duijie_touch();
