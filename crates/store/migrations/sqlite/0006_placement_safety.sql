-- Placement a clinician can trust: clinical fit and the travel rule.
--
-- A children's hospital takes only children: `paediatric_only` on the facility (whether it
-- treats children at all is the `pediatrics` service). Offers record the trip they imply
-- (`travel_minutes`, one way; per session for recurring care), whether it crosses a provincial
-- border, and a coordinator's explicit override of hard constraints on a directed placement
-- (the constraints, comma-separated, and the reason), which the receiving desk reads.
--
-- Travel limits are minutes of the travel estimate now, not straight-line km: the per-urgency
-- limit of one-off care is converted at the estimate's speeds (km × 1.3 at 50 km/h for an
-- emergency, 40 km/h otherwise), clamped to the new bounds; recurring care (dialysis) gets
-- its own per-session limit and cross-province flags per region (`region_travel_limits`).

ALTER TABLE facilities ADD COLUMN paediatric_only INTEGER NOT NULL DEFAULT 0;

ALTER TABLE offers ADD COLUMN travel_minutes INTEGER;
ALTER TABLE offers ADD COLUMN cross_province INTEGER NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN override_constraints TEXT;
ALTER TABLE offers ADD COLUMN override_reason TEXT;

CREATE TABLE region_placement_limits_minutes (
    region_code          TEXT NOT NULL,
    urgency              TEXT NOT NULL,
    max_wait_minutes     INTEGER NOT NULL CHECK (max_wait_minutes BETWEEN 5 AND 43200),
    hold_minutes         INTEGER NOT NULL CHECK (hold_minutes BETWEEN 5 AND 1440),
    travel_limit_minutes INTEGER NOT NULL CHECK (travel_limit_minutes BETWEEN 5 AND 2880),
    updated_by           TEXT NOT NULL,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (region_code, urgency)
);
INSERT INTO region_placement_limits_minutes
    (region_code, urgency, max_wait_minutes, hold_minutes, travel_limit_minutes, updated_by, updated_at)
SELECT region_code, urgency, max_wait_minutes, hold_minutes,
       MAX(5, MIN(2880, CAST(ROUND(travel_limit_km * 1.3 * 60.0
           / (CASE WHEN urgency = 'emergency' THEN 50.0 ELSE 40.0 END)) AS INTEGER))),
       updated_by, updated_at
FROM region_placement_limits;
DROP TABLE region_placement_limits;
ALTER TABLE region_placement_limits_minutes RENAME TO region_placement_limits;

-- A region's own travel rule (inherited below it; the defaults where no region above sets
-- one): the one-way limit of a recurring session, and whether recurring and one-off care may
-- be placed in another province.
CREATE TABLE region_travel_limits (
    region_code               TEXT PRIMARY KEY,
    recurring_session_minutes INTEGER NOT NULL CHECK (recurring_session_minutes BETWEEN 10 AND 240),
    recurring_cross_province  INTEGER NOT NULL CHECK (recurring_cross_province IN (0, 1)),
    one_off_cross_province    INTEGER NOT NULL CHECK (one_off_cross_province IN (0, 1)),
    updated_by                TEXT NOT NULL,
    updated_at                INTEGER NOT NULL
);
