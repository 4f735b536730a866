-- Batch placement and recurring patients' weekdays.
--
-- An offer to a recurring (dialysis) patient carries the weekday pattern of their sessions at
-- the facility, so a later displacement can keep it. A batch plan is stored when previewed and
-- applied by its id: what the coordinator saw is what is applied, or nothing is (the apply
-- re-checks every referral and bed in one transaction).

ALTER TABLE offers ADD COLUMN pattern TEXT;

-- `kind`: `region` (every waiting referral of a region) or `displacement` (the patients a
-- designation order or a commandeered unit would displace, and where they go instead).
CREATE TABLE placement_plans (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('region', 'displacement')),
    region_code TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('preview', 'applied')),
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    applied_by  TEXT,
    applied_at  BIGINT,
    total_cost  BIGINT NOT NULL,
    plan        TEXT NOT NULL
);
CREATE INDEX placement_plans_region ON placement_plans (region_code, created_at);

-- The groups a region marks as protected in a surge (dialysis, cancer surgery, maternity,
-- emergency surgery): a comma-separated list, inherited by the regions below it.
CREATE TABLE region_protected_groups (
    region_code TEXT PRIMARY KEY,
    groups      TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A region's own placement limits per urgency (inherited below it; the urgency's defaults
-- where no region above sets one): the longest wait before escalation, how long an offer holds
-- its bed, and the longest trip.
CREATE TABLE region_placement_limits (
    region_code      TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    max_wait_minutes BIGINT NOT NULL CHECK (max_wait_minutes BETWEEN 5 AND 43200),
    hold_minutes     BIGINT NOT NULL CHECK (hold_minutes BETWEEN 5 AND 1440),
    travel_limit_km  DOUBLE PRECISION NOT NULL CHECK (travel_limit_km > 0 AND travel_limit_km <= 3000),
    updated_by       TEXT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (region_code, urgency)
);
