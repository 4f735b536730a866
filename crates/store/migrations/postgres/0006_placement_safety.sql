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

ALTER TABLE facilities ADD COLUMN paediatric_only BIGINT NOT NULL DEFAULT 0;

ALTER TABLE offers ADD COLUMN travel_minutes BIGINT;
ALTER TABLE offers ADD COLUMN cross_province BIGINT NOT NULL DEFAULT 0;
ALTER TABLE offers ADD COLUMN override_constraints TEXT;
ALTER TABLE offers ADD COLUMN override_reason TEXT;

ALTER TABLE region_placement_limits ADD COLUMN travel_limit_minutes BIGINT;
UPDATE region_placement_limits SET travel_limit_minutes = GREATEST(5, LEAST(2880, CAST(ROUND(
    (travel_limit_km * 1.3 * 60.0 / (CASE WHEN urgency = 'emergency' THEN 50.0 ELSE 40.0 END))::numeric
) AS BIGINT)));
ALTER TABLE region_placement_limits ALTER COLUMN travel_limit_minutes SET NOT NULL;
ALTER TABLE region_placement_limits ADD CONSTRAINT region_placement_limits_travel_minutes
    CHECK (travel_limit_minutes BETWEEN 5 AND 2880);
ALTER TABLE region_placement_limits DROP COLUMN travel_limit_km;

-- A region's own travel rule (inherited below it; the defaults where no region above sets
-- one): the one-way limit of a recurring session, and whether recurring and one-off care may
-- be placed in another province.
CREATE TABLE region_travel_limits (
    region_code               TEXT PRIMARY KEY,
    recurring_session_minutes BIGINT NOT NULL CHECK (recurring_session_minutes BETWEEN 10 AND 240),
    recurring_cross_province  BIGINT NOT NULL CHECK (recurring_cross_province IN (0, 1)),
    one_off_cross_province    BIGINT NOT NULL CHECK (one_off_cross_province IN (0, 1)),
    updated_by                TEXT NOT NULL,
    updated_at                BIGINT NOT NULL
);
