-- The current state becomes one row per facility, its units as columns.
--
-- Before, `capacity_current` held one row per facility and unit (216,000 rows nationally) with a
-- covering index whose every entry moved on each report: a report for one facility touched six
-- table rows and six index pages scattered over the whole index, which made a group commit of a
-- few dozen reports write hundreds of pages. Now a report rewrites one row, in one page, and no
-- secondary index changes (the path columns never change on a report); a national rollup reads
-- 36,000 rows once and sums each unit's columns. A unit never reported has NULL in all of its
-- columns. `<unit>_seq` is the report the unit stands from (no foreign key: it is written in the
-- same statement set as the report itself, and checking it would cost six lookups per report).
-- A new unit in the vocabulary is a new migration adding its five columns.

CREATE TABLE capacity_now (
    facility_id   TEXT PRIMARY KEY REFERENCES facilities (id),
    province_code TEXT NOT NULL,
    city_code     TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    general_ward_as_of    BIGINT,
    general_ward_physical BIGINT,
    general_ward_staffed  BIGINT,
    general_ward_occupied BIGINT,
    general_ward_seq      BIGINT,
    icu_as_of    BIGINT,
    icu_physical BIGINT,
    icu_staffed  BIGINT,
    icu_occupied BIGINT,
    icu_seq      BIGINT,
    isolation_as_of    BIGINT,
    isolation_physical BIGINT,
    isolation_staffed  BIGINT,
    isolation_occupied BIGINT,
    isolation_seq      BIGINT,
    dialysis_stations_as_of    BIGINT,
    dialysis_stations_physical BIGINT,
    dialysis_stations_staffed  BIGINT,
    dialysis_stations_occupied BIGINT,
    dialysis_stations_seq      BIGINT,
    maternity_as_of    BIGINT,
    maternity_physical BIGINT,
    maternity_staffed  BIGINT,
    maternity_occupied BIGINT,
    maternity_seq      BIGINT,
    emergency_as_of    BIGINT,
    emergency_physical BIGINT,
    emergency_staffed  BIGINT,
    emergency_occupied BIGINT,
    emergency_seq      BIGINT,
    CHECK (general_ward_as_of IS NULL OR (general_ward_physical >= 0 AND general_ward_staffed >= 0 AND general_ward_staffed <= general_ward_physical
           AND general_ward_occupied >= 0 AND general_ward_seq IS NOT NULL)),
    CHECK (icu_as_of IS NULL OR (icu_physical >= 0 AND icu_staffed >= 0 AND icu_staffed <= icu_physical
           AND icu_occupied >= 0 AND icu_seq IS NOT NULL)),
    CHECK (isolation_as_of IS NULL OR (isolation_physical >= 0 AND isolation_staffed >= 0 AND isolation_staffed <= isolation_physical
           AND isolation_occupied >= 0 AND isolation_seq IS NOT NULL)),
    CHECK (dialysis_stations_as_of IS NULL OR (dialysis_stations_physical >= 0 AND dialysis_stations_staffed >= 0 AND dialysis_stations_staffed <= dialysis_stations_physical
           AND dialysis_stations_occupied >= 0 AND dialysis_stations_seq IS NOT NULL)),
    CHECK (maternity_as_of IS NULL OR (maternity_physical >= 0 AND maternity_staffed >= 0 AND maternity_staffed <= maternity_physical
           AND maternity_occupied >= 0 AND maternity_seq IS NOT NULL)),
    CHECK (emergency_as_of IS NULL OR (emergency_physical >= 0 AND emergency_staffed >= 0 AND emergency_staffed <= emergency_physical
           AND emergency_occupied >= 0 AND emergency_seq IS NOT NULL))
);
CREATE INDEX capacity_now_province ON capacity_now (province_code);
CREATE INDEX capacity_now_city ON capacity_now (city_code);
CREATE INDEX capacity_now_region ON capacity_now (region_code);

INSERT INTO capacity_now (facility_id, province_code, city_code, region_code,
    general_ward_as_of, general_ward_physical, general_ward_staffed, general_ward_occupied, general_ward_seq,
    icu_as_of, icu_physical, icu_staffed, icu_occupied, icu_seq,
    isolation_as_of, isolation_physical, isolation_staffed, isolation_occupied, isolation_seq,
    dialysis_stations_as_of, dialysis_stations_physical, dialysis_stations_staffed, dialysis_stations_occupied, dialysis_stations_seq,
    maternity_as_of, maternity_physical, maternity_staffed, maternity_occupied, maternity_seq,
    emergency_as_of, emergency_physical, emergency_staffed, emergency_occupied, emergency_seq)
SELECT facility_id, MAX(province_code), MAX(city_code), MAX(region_code),
    MAX(CASE WHEN unit = 'general_ward' THEN as_of END), MAX(CASE WHEN unit = 'general_ward' THEN physical END), MAX(CASE WHEN unit = 'general_ward' THEN staffed END), MAX(CASE WHEN unit = 'general_ward' THEN occupied END), MAX(CASE WHEN unit = 'general_ward' THEN report_seq END),
    MAX(CASE WHEN unit = 'icu' THEN as_of END), MAX(CASE WHEN unit = 'icu' THEN physical END), MAX(CASE WHEN unit = 'icu' THEN staffed END), MAX(CASE WHEN unit = 'icu' THEN occupied END), MAX(CASE WHEN unit = 'icu' THEN report_seq END),
    MAX(CASE WHEN unit = 'isolation' THEN as_of END), MAX(CASE WHEN unit = 'isolation' THEN physical END), MAX(CASE WHEN unit = 'isolation' THEN staffed END), MAX(CASE WHEN unit = 'isolation' THEN occupied END), MAX(CASE WHEN unit = 'isolation' THEN report_seq END),
    MAX(CASE WHEN unit = 'dialysis_stations' THEN as_of END), MAX(CASE WHEN unit = 'dialysis_stations' THEN physical END), MAX(CASE WHEN unit = 'dialysis_stations' THEN staffed END), MAX(CASE WHEN unit = 'dialysis_stations' THEN occupied END), MAX(CASE WHEN unit = 'dialysis_stations' THEN report_seq END),
    MAX(CASE WHEN unit = 'maternity' THEN as_of END), MAX(CASE WHEN unit = 'maternity' THEN physical END), MAX(CASE WHEN unit = 'maternity' THEN staffed END), MAX(CASE WHEN unit = 'maternity' THEN occupied END), MAX(CASE WHEN unit = 'maternity' THEN report_seq END),
    MAX(CASE WHEN unit = 'emergency' THEN as_of END), MAX(CASE WHEN unit = 'emergency' THEN physical END), MAX(CASE WHEN unit = 'emergency' THEN staffed END), MAX(CASE WHEN unit = 'emergency' THEN occupied END), MAX(CASE WHEN unit = 'emergency' THEN report_seq END)
FROM capacity_current GROUP BY facility_id;

DROP TABLE capacity_current;
