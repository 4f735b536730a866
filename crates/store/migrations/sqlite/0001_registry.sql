-- Carebridge registry schema, SQLite flavour. Columns are INTEGER/TEXT/REAL only: booleans are
-- 0/1 and times are UTC milliseconds, so both backends decode identically.

CREATE TABLE region_settings (
    region_code       TEXT PRIMARY KEY,
    stale_after_hours INTEGER NOT NULL CHECK (stale_after_hours BETWEEN 1 AND 720),
    updated_at        INTEGER NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    scope_kind    TEXT NOT NULL,
    scope_id      TEXT,
    display_name  TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    -- Where the user sits, for scoping lists of users (a desk's facility and its region path).
    province_code TEXT,
    city_code     TEXT,
    region_code   TEXT,
    facility_id   TEXT
);
CREATE INDEX users_province ON users (province_code);
CREATE INDEX users_city ON users (city_code);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE facilities (
    id                 TEXT PRIMARY KEY,
    name_zh            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    region_code        TEXT NOT NULL,
    city_code          TEXT NOT NULL,
    province_code      TEXT NOT NULL,
    level              TEXT NOT NULL,
    lon                REAL NOT NULL,
    lat                REAL NOT NULL,
    address            TEXT NOT NULL,
    phone              TEXT NOT NULL,
    services           TEXT NOT NULL, -- ",icu,emergency," so a service filter is one LIKE
    takes_new_patients INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX facilities_province ON facilities (province_code, id);
CREATE INDEX facilities_city ON facilities (city_code, id);
CREATE INDEX facilities_region ON facilities (region_code, id);

CREATE TABLE designation_orders (
    id           TEXT PRIMARY KEY,
    facility_id  TEXT NOT NULL REFERENCES facilities (id),
    designation  TEXT NOT NULL,
    effective_at INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    order_number TEXT NOT NULL,
    ordered_by   TEXT NOT NULL REFERENCES users (id),
    ordered_at   INTEGER NOT NULL
);
CREATE INDEX designation_orders_facility ON designation_orders (facility_id, effective_at, ordered_at);

-- Append-only history: one row per report, and one row per unit of it. The writer allocates
-- `seq` before inserting so unit rows carry it without reading the report back.
-- `seq` is allocated by the writer, which holds SQLite's write lock: MAX(seq) + 1 onwards.
CREATE TABLE capacity_reports (
    seq         INTEGER PRIMARY KEY,
    report_id   TEXT NOT NULL UNIQUE,
    facility_id TEXT NOT NULL REFERENCES facilities (id),
    as_of       INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    reported_by TEXT
);
CREATE INDEX capacity_reports_facility ON capacity_reports (facility_id, as_of);

CREATE TABLE capacity_report_units (
    report_seq INTEGER NOT NULL REFERENCES capacity_reports (seq),
    unit       TEXT NOT NULL,
    physical   INTEGER NOT NULL CHECK (physical >= 0),
    staffed    INTEGER NOT NULL CHECK (staffed >= 0 AND staffed <= physical),
    occupied   INTEGER NOT NULL CHECK (occupied >= 0),
    PRIMARY KEY (report_seq, unit)
) WITHOUT ROWID;

-- The current state: the latest report per facility and unit. The facility's region path is
-- copied here (and kept in step when a facility moves) so rollups read this table alone.
CREATE TABLE capacity_current (
    facility_id   TEXT NOT NULL REFERENCES facilities (id),
    unit          TEXT NOT NULL,
    province_code TEXT NOT NULL,
    city_code     TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    as_of         INTEGER NOT NULL,
    physical      INTEGER NOT NULL CHECK (physical >= 0),
    staffed       INTEGER NOT NULL CHECK (staffed >= 0 AND staffed <= physical),
    occupied      INTEGER NOT NULL CHECK (occupied >= 0),
    report_seq    INTEGER NOT NULL REFERENCES capacity_reports (seq),
    PRIMARY KEY (facility_id, unit)
);
-- Covering: a rollup by province (or by city or county within one province) reads this index
-- alone, in group order, with the path columns the per-region stale thresholds test.
CREATE INDEX capacity_current_province ON capacity_current
    (province_code, unit, city_code, region_code, as_of, physical, staffed, occupied);
CREATE INDEX capacity_current_city ON capacity_current (city_code);
CREATE INDEX capacity_current_region ON capacity_current (region_code);

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    at         INTEGER NOT NULL,
    actor_id   TEXT,
    actor_name TEXT NOT NULL,
    actor_role TEXT,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    request_id TEXT,
    change     TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_name, seq);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

CREATE TABLE idempotency_keys (
    principal     TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    headers       TEXT,
    body          TEXT,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
