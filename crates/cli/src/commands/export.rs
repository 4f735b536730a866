//! `carebridge export facilities|capacity [FILE]`: the registry as the spreadsheets hospitals use
//! (the same columns `import` reads, so an export re-imports unchanged). Capacity exports the
//! current state: each facility's standing report.

use crate::args::Dataset;
use anyhow::Context;
use carebridge_domain::capacity::CapacityReportDraft;
use carebridge_interop::csv_io;
use carebridge_store::facilities::FacilityFilter;
use carebridge_store::{capacity, facilities, Visibility};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub async fn run(url: &str, what: Dataset, path: &Path) -> anyhow::Result<ExitCode> {
    let cb = super::open(url).await?;
    let mut out: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        ))
    };
    let now = cb.now();
    match what {
        Dataset::Facilities => {
            let mut all = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut page = facilities::list(
                    &cb.store,
                    Visibility::All,
                    &FacilityFilter::default(),
                    after.as_deref(),
                    1000,
                    now,
                )
                .await?;
                let more = page.len() > 1000;
                page.truncate(1000);
                after = page.last().map(|f| f.id.to_string());
                all.extend(page);
                if !more {
                    break;
                }
            }
            csv_io::write_facilities(&mut out, &all).context("writing CSV")?;
            eprintln!("exported {} facilities", all.len());
        }
        Dataset::Capacity => {
            let mut reports = Vec::new();
            let mut facilities = 0usize;
            let mut after: Option<String> = None;
            loop {
                let mut page = capacity::current(&cb.store, Visibility::All, after.as_deref(), 500, now).await?;
                let more = page.len() > 500;
                page.truncate(500);
                after = page.last().map(|r| r.facility_id.to_string());
                for row in page {
                    // Units may stand from different reports: one report per as-of time, oldest
                    // first, so a re-import restores each unit's own time.
                    facilities += 1;
                    let mut units = row.units;
                    units.sort_by_key(|u| (u.as_of, u.report.unit));
                    for chunk in units.chunk_by(|a, b| a.as_of == b.as_of) {
                        reports.push(CapacityReportDraft {
                            facility_id: row.facility_id,
                            as_of: chunk[0].as_of,
                            units: chunk.iter().map(|u| u.report).collect(),
                        });
                    }
                }
                if !more {
                    break;
                }
            }
            csv_io::write_capacity(&mut out, &reports).context("writing CSV")?;
            eprintln!("exported the current capacity of {facilities} facilities ({} standing reports)", reports.len());
        }
    }
    out.flush().context("flushing the output")?;
    Ok(ExitCode::SUCCESS)
}
