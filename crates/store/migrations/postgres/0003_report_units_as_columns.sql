-- A report becomes one row, its units as columns (as in capacity_now, 0002).
--
-- Before, a report was a row in `capacity_reports` and a row per unit in `capacity_report_units`:
-- seven rows, two primary-key entries and (on PostgreSQL) six foreign-key checks per report, for
-- numbers that are always written and read together. Now a report is one row: a unit the report
-- does not mention has NULL in its three columns. The facility index no longer carries `as_of`:
-- a facility's history is read newest first by `seq` (arrival order), which the index on
-- `facility_id` alone gives on SQLite (the rowid is `seq`) and with `seq` on PostgreSQL.
-- A new unit in the vocabulary is a new migration adding its three columns here and its five in
-- capacity_now.

CREATE TABLE capacity_reports_by_row (
    seq         BIGINT PRIMARY KEY,
    report_id   TEXT NOT NULL UNIQUE,
    facility_id TEXT NOT NULL REFERENCES facilities (id),
    as_of       BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    reported_by TEXT,
    general_ward_physical BIGINT,
    general_ward_staffed BIGINT,
    general_ward_occupied BIGINT,
    icu_physical BIGINT,
    icu_staffed BIGINT,
    icu_occupied BIGINT,
    isolation_physical BIGINT,
    isolation_staffed BIGINT,
    isolation_occupied BIGINT,
    dialysis_stations_physical BIGINT,
    dialysis_stations_staffed BIGINT,
    dialysis_stations_occupied BIGINT,
    maternity_physical BIGINT,
    maternity_staffed BIGINT,
    maternity_occupied BIGINT,
    emergency_physical BIGINT,
    emergency_staffed BIGINT,
    emergency_occupied BIGINT,
    CHECK ((general_ward_physical IS NULL AND general_ward_staffed IS NULL AND general_ward_occupied IS NULL) OR (general_ward_physical >= 0 AND general_ward_staffed >= 0
           AND general_ward_staffed <= general_ward_physical AND general_ward_occupied >= 0)),
    CHECK ((icu_physical IS NULL AND icu_staffed IS NULL AND icu_occupied IS NULL) OR (icu_physical >= 0 AND icu_staffed >= 0
           AND icu_staffed <= icu_physical AND icu_occupied >= 0)),
    CHECK ((isolation_physical IS NULL AND isolation_staffed IS NULL AND isolation_occupied IS NULL) OR (isolation_physical >= 0 AND isolation_staffed >= 0
           AND isolation_staffed <= isolation_physical AND isolation_occupied >= 0)),
    CHECK ((dialysis_stations_physical IS NULL AND dialysis_stations_staffed IS NULL AND dialysis_stations_occupied IS NULL) OR (dialysis_stations_physical >= 0 AND dialysis_stations_staffed >= 0
           AND dialysis_stations_staffed <= dialysis_stations_physical AND dialysis_stations_occupied >= 0)),
    CHECK ((maternity_physical IS NULL AND maternity_staffed IS NULL AND maternity_occupied IS NULL) OR (maternity_physical >= 0 AND maternity_staffed >= 0
           AND maternity_staffed <= maternity_physical AND maternity_occupied >= 0)),
    CHECK ((emergency_physical IS NULL AND emergency_staffed IS NULL AND emergency_occupied IS NULL) OR (emergency_physical >= 0 AND emergency_staffed >= 0
           AND emergency_staffed <= emergency_physical AND emergency_occupied >= 0)),
    CHECK (general_ward_physical IS NOT NULL OR icu_physical IS NOT NULL OR isolation_physical IS NOT NULL
           OR dialysis_stations_physical IS NOT NULL OR maternity_physical IS NOT NULL OR emergency_physical IS NOT NULL)
);

INSERT INTO capacity_reports_by_row (seq, report_id, facility_id, as_of, received_at, reported_by,
    general_ward_physical, general_ward_staffed, general_ward_occupied,
    icu_physical, icu_staffed, icu_occupied,
    isolation_physical, isolation_staffed, isolation_occupied,
    dialysis_stations_physical, dialysis_stations_staffed, dialysis_stations_occupied,
    maternity_physical, maternity_staffed, maternity_occupied,
    emergency_physical, emergency_staffed, emergency_occupied)
SELECT r.seq, r.report_id, r.facility_id, r.as_of, r.received_at, r.reported_by,
    MAX(CASE WHEN u.unit = 'general_ward' THEN u.physical END), MAX(CASE WHEN u.unit = 'general_ward' THEN u.staffed END), MAX(CASE WHEN u.unit = 'general_ward' THEN u.occupied END),
    MAX(CASE WHEN u.unit = 'icu' THEN u.physical END), MAX(CASE WHEN u.unit = 'icu' THEN u.staffed END), MAX(CASE WHEN u.unit = 'icu' THEN u.occupied END),
    MAX(CASE WHEN u.unit = 'isolation' THEN u.physical END), MAX(CASE WHEN u.unit = 'isolation' THEN u.staffed END), MAX(CASE WHEN u.unit = 'isolation' THEN u.occupied END),
    MAX(CASE WHEN u.unit = 'dialysis_stations' THEN u.physical END), MAX(CASE WHEN u.unit = 'dialysis_stations' THEN u.staffed END), MAX(CASE WHEN u.unit = 'dialysis_stations' THEN u.occupied END),
    MAX(CASE WHEN u.unit = 'maternity' THEN u.physical END), MAX(CASE WHEN u.unit = 'maternity' THEN u.staffed END), MAX(CASE WHEN u.unit = 'maternity' THEN u.occupied END),
    MAX(CASE WHEN u.unit = 'emergency' THEN u.physical END), MAX(CASE WHEN u.unit = 'emergency' THEN u.staffed END), MAX(CASE WHEN u.unit = 'emergency' THEN u.occupied END)
FROM capacity_reports r JOIN capacity_report_units u ON u.report_seq = r.seq
GROUP BY r.seq, r.report_id, r.facility_id, r.as_of, r.received_at, r.reported_by;

DROP TABLE capacity_report_units;
DROP TABLE capacity_reports;
ALTER TABLE capacity_reports_by_row RENAME TO capacity_reports;
ALTER TABLE capacity_reports RENAME CONSTRAINT capacity_reports_by_row_pkey TO capacity_reports_pkey;
ALTER TABLE capacity_reports RENAME CONSTRAINT capacity_reports_by_row_report_id_key TO capacity_reports_report_id_key;
ALTER TABLE capacity_reports RENAME CONSTRAINT capacity_reports_by_row_facility_id_fkey TO capacity_reports_facility_id_fkey;
CREATE INDEX capacity_reports_facility ON capacity_reports (facility_id, seq);
