//! The board's occupancy chart: a region's occupied-over-staffed rate for ICU and general ward
//! over the last days, drawn on the server as an inline SVG line chart. Pure functions of the
//! series, so they are tested without a server; an empty series draws a "no data" notice
//! rather than an empty frame or a panic.

use super::svg::{escape, num};
use carebridge_domain::capacity::Unit;
use carebridge_domain::clock::Timestamp;
use carebridge_service::capacity::SeriesPoint;
use std::fmt::Write as _;

/// The units the chart draws, with their colour and dash pattern (dashes keep the lines apart
/// without colour).
pub const UNITS: [(Unit, &str, &str); 2] = [(Unit::Icu, "#b3261e", ""), (Unit::GeneralWard, "#1d5fa8", "7 4")];

/// One unit's occupancy: (time in ms, occupied/staffed in percent).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub unit: Unit,
    pub points: Vec<(i64, f64)>,
}

impl Line {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|p| p.1)
    }
}

/// The lines to draw from a series: one per charted unit that has at least one point with
/// staffed beds (a rate over zero staffed beds means nothing and is skipped).
pub fn lines(series: &[SeriesPoint]) -> Vec<Line> {
    UNITS
        .iter()
        .filter_map(|(unit, _, _)| {
            let mut points: Vec<(i64, f64)> = series
                .iter()
                .filter(|p| p.unit == *unit && p.totals.staffed > 0)
                .map(|p| (p.at.millis(), p.totals.occupied as f64 * 100.0 / p.totals.staffed as f64))
                .collect();
            points.sort_by_key(|p| p.0);
            (!points.is_empty()).then_some(Line { unit: *unit, points })
        })
        .collect()
}

/// Labels the chart writes.
#[derive(Debug, Clone)]
pub struct ChartText<'a> {
    pub icu: &'a str,
    pub general: &'a str,
    pub no_data: &'a str,
    pub aria_label: &'a str,
}

impl ChartText<'_> {
    fn label(&self, unit: Unit) -> &str {
        if unit == Unit::Icu {
            self.icu
        } else {
            self.general
        }
    }
}

const W: f64 = 720.0;
const H: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 38.0;
const DAY_MS: i64 = 86_400_000;
/// China's offset from UTC: day ticks fall on local midnight.
const LOCAL_OFFSET_MS: i64 = 8 * 3_600_000;

/// Render the chart for `[from, to]`.
pub fn render(lines: &[Line], from: Timestamp, to: Timestamp, text: &ChartText<'_>) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}">"#,
        escape(text.aria_label)
    );
    let (t0, t1) = (from.millis(), to.millis().max(from.millis() + 1));
    if lines.iter().all(|l| l.points.is_empty()) {
        let _ = write!(
            out,
            r##"<rect x="1" y="1" width="{}" height="{}" fill="#f6f7f9" stroke="#c5ccd3"/><text x="{}" y="{}" text-anchor="middle" font-size="18" fill="#3d4752">{}</text></svg>"##,
            W - 2.0,
            H - 2.0,
            W / 2.0,
            H / 2.0,
            escape(text.no_data)
        );
        return out;
    }
    let max_rate = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0_f64, f64::max);
    let step = if max_rate > 200.0 { 50.0 } else { 25.0 };
    let y_max = ((max_rate.max(100.0) + 5.0) / step).ceil() * step;
    let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - RIGHT);
    let y = |v: f64| TOP + (1.0 - v / y_max) * (H - TOP - BOTTOM);

    // Horizontal grid and percentage labels.
    out.push_str(r##"<g font-size="14" fill="#3d4752">"##);
    let mut v = 0.0;
    while v <= y_max + 0.01 {
        let yy = num(y(v));
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy}" y2="{yy}" stroke="#e1e5ea"/><text x="{}" y="{yy}" dy="5" text-anchor="end">{}%</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            v as i64
        );
        v += step;
    }
    // Day ticks at local midnight, labelled MM-DD (every other day when there are many).
    let first_day = (t0 + LOCAL_OFFSET_MS).div_euclid(DAY_MS) + 1;
    let last_day = (t1 + LOCAL_OFFSET_MS).div_euclid(DAY_MS);
    let every = if last_day - first_day > 10 { 2 } else { 1 };
    for day in first_day..=last_day {
        let t = day * DAY_MS - LOCAL_OFFSET_MS;
        let xx = num(x(t));
        let _ = write!(
            out,
            r##"<line x1="{xx}" x2="{xx}" y1="{}" y2="{}" stroke="#7b8794"/>"##,
            num(H - BOTTOM),
            num(H - BOTTOM + 5.0)
        );
        if (day - first_day) % every == 0 {
            let date = Timestamp::from_millis(t + LOCAL_OFFSET_MS).to_datetime().format("%m-%d");
            let _ = write!(out, r#"<text x="{xx}" y="{}" text-anchor="middle">{date}</text>"#, num(H - BOTTOM + 21.0));
        }
    }
    out.push_str("</g>");
    // Axes and the 100% line.
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{}" stroke="#7b8794"/><line x1="{LEFT}" x2="{}" y1="{}" y2="{}" stroke="#7b8794"/>"##,
        num(H - BOTTOM),
        W - RIGHT,
        num(H - BOTTOM),
        num(H - BOTTOM)
    );
    let hundred = num(y(100.0));
    let _ = write!(
        out,
        r##"<line class="ref" x1="{LEFT}" x2="{}" y1="{hundred}" y2="{hundred}" stroke="#1f1f1f" stroke-width="1.2" stroke-dasharray="2 3"><title>100%</title></line>"##,
        W - RIGHT
    );
    // One polyline per unit.
    for line in lines {
        let Some((_, colour, dash)) = UNITS.iter().find(|(u, _, _)| *u == line.unit) else { continue };
        let pts: Vec<String> = line.points.iter().map(|(t, v)| format!("{},{}", num(x(*t)), num(y(*v)))).collect();
        let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let label = text.label(line.unit);
        let latest = line.latest().unwrap_or(0.0);
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash} points="{}"><title>{} {latest:.0}%</title></polyline>"#,
            pts.join(" "),
            escape(label),
        );
    }
    // Legend, top left.
    let mut lx = LEFT;
    for line in lines {
        let Some((_, colour, dash)) = UNITS.iter().find(|(u, _, _)| *u == line.unit) else { continue };
        let label = text.label(line.unit);
        let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let _ = write!(
            out,
            r##"<line x1="{}" x2="{}" y1="16" y2="16" stroke="{colour}" stroke-width="3"{dash}/><text x="{}" y="21" font-size="15" fill="#1f1f1f">{}</text>"##,
            num(lx),
            num(lx + 28.0),
            num(lx + 34.0),
            escape(label)
        );
        lx += 34.0 + text_width(label) + 24.0;
    }
    out.push_str("</svg>");
    out
}

/// A rough width of 15 px text: CJK characters are square, Latin ones about half as wide.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 8.5 } else { 15.0 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use carebridge_domain::capacity::Totals;

    fn point(hours: i64, unit: Unit, staffed: i64, occupied: i64) -> SeriesPoint {
        SeriesPoint {
            at: Timestamp::from_millis(1_581_638_400_000 + hours * 3_600_000),
            unit,
            totals: Totals::from_sums(staffed, staffed, occupied),
            facilities: 3,
        }
    }

    fn text() -> ChartText<'static> {
        ChartText { icu: "ICU", general: "General ward", no_data: "No data", aria_label: "Occupancy" }
    }

    #[test]
    fn one_polyline_per_unit_with_rates_in_percent() {
        let series: Vec<SeriesPoint> = (0..56)
            .flat_map(|i| {
                [
                    point(i * 6, Unit::Icu, 100, 90 + i),
                    point(i * 6, Unit::GeneralWard, 1000, 700),
                    point(i * 6, Unit::Maternity, 10, 1),
                ]
            })
            .collect();
        let lines = lines(&series);
        assert_eq!(lines.iter().map(|l| l.unit).collect::<Vec<_>>(), [Unit::Icu, Unit::GeneralWard]);
        assert_eq!(lines[1].latest(), Some(70.0));
        assert_eq!(lines[0].latest(), Some(145.0), "overload goes above 100%");
        let from = Timestamp::from_millis(1_581_638_400_000);
        let to = from.plus_hours(14 * 24);
        let svg = render(&lines, from, to, &text());
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains(r#"role="img""#) && svg.contains(r#"aria-label="Occupancy""#));
        assert!(svg.contains("<title>100%</title>"), "a 100% reference line");
        assert!(svg.contains(">02-15<"), "date ticks in UTC+8");
        assert!(svg.contains(">150%<"), "the axis grows to fit overload");
        assert!(!svg.contains("NaN"));
        if std::env::var_os("CB_WRITE_SVG").is_some() {
            std::fs::write(std::env::temp_dir().join("chart.svg"), &svg).unwrap();
        }
    }

    #[test]
    fn empty_or_unstaffed_series_say_no_data() {
        let from = Timestamp::from_millis(0);
        let svg = render(&lines(&[]), from, from.plus_hours(24), &text());
        assert!(svg.contains(">No data<") && !svg.contains("<polyline"));
        // Zero staffed beds: no rate, so no line (and no division by zero).
        let only_zero = lines(&[point(0, Unit::Icu, 0, 3)]);
        assert!(only_zero.is_empty());
        // A zero-length window does not divide by zero either.
        let one = lines(&[point(0, Unit::Icu, 10, 3)]);
        let at = Timestamp::from_millis(1_581_638_400_000);
        let svg = render(&one, at, at, &text());
        assert!(svg.contains("<polyline") && !svg.contains("NaN"));
    }
}
