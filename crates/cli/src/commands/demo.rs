//! `carebridge demo`: a fresh SQLite file (or `--data DIR`), the demo scenario loaded, the server
//! started, and the address and accounts printed.

use crate::commands::open;
use anyhow::Context;
use carebridge_scenario::{ScenarioScope, DEMO_PASSWORD};
use carebridge_server::startup::shutdown_signal;
use carebridge_server::{Application, ServerConfig};
use std::path::PathBuf;
use std::process::ExitCode;

pub async fn run(data: Option<PathBuf>, config: ServerConfig, seed: u64) -> anyhow::Result<ExitCode> {
    // A temporary directory lives as long as the server; `--data` keeps the file.
    let (dir, _temp) = match data {
        Some(d) => {
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
            (d, None)
        }
        None => {
            let t = std::env::temp_dir().join(format!("carebridge-demo-{}-{}", std::process::id(), seed));
            std::fs::create_dir_all(&t).with_context(|| format!("creating {}", t.display()))?;
            (t.clone(), Some(TempDir(t)))
        }
    };
    let db = dir.join("carebridge.sqlite");
    let url = format!("sqlite://{}", db.display());
    let cb = open(&url).await?;
    let fresh = carebridge_store::facilities::count(&cb.store).await? == 0;
    let scenario = carebridge_scenario::demo(seed, cb.now(), &cb.regions);
    if fresh {
        eprintln!("loading the demo scenario into {} …", db.display());
        cb.load_scenario(&scenario).await.context("loading the demo scenario")?;
        cb.load_demo_stories(&scenario).await.context("admitting the demo's patients (README \"Walkthrough\")")?;
        let booking = cb.load_demo_booking(&scenario).await.context("publishing the demo's schedules")?;
        eprintln!(
            "booking: Beijing's online-registration rule in force, {} schedules ({} slots) at Beijing's and Wuhan's hospitals, {} patients, {} booked, {} online consultations waiting at Union",
            booking.schedules, booking.slots, booking.patients, booking.bookings, booking.consultations
        );
    } else {
        eprintln!("using the existing data in {}", db.display());
    }
    let app = Application::build(&config, cb.clone()).await?;
    println!("Carebridge listening on http://{}", app.addr());
    println!("Database: {url}");
    println!("Demo accounts (password `{DEMO_PASSWORD}`):");
    for u in &scenario.users {
        let scope = match u.scope {
            ScenarioScope::Nation => "nation".to_string(),
            ScenarioScope::Region(c) => {
                format!("region {c} {}", cb.regions.get(c).map(|r| r.name.as_str()).unwrap_or(""))
            }
            ScenarioScope::Facility(k) => {
                format!("facility {}", scenario.facility(k).map(|f| f.draft.name_en.as_str()).unwrap_or(k))
            }
            ScenarioScope::Own => "own records".to_string(),
        };
        println!("  {:<18} {:<24} {}", u.username, u.role.as_str(), scope);
    }
    println!(
        "  {:<18} {:<24} own records (patient1 … patient10 hold a booking at Wuhan Union)",
        format!("patient1…patient{}", carebridge_service::demo_booking::DEMO_PATIENTS),
        "patient"
    );
    println!("Pages: http://{0}/directory  http://{0}/board   API: http://{0}/api/v1/openapi.json   FHIR: http://{0}/fhir/metadata", app.addr());
    app.run_until(shutdown_signal()).await?;
    cb.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Removes the temporary demo directory when the demo ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
