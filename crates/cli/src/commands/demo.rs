//! `carebridge demo`: a fresh SQLite file (or `--data DIR`), the demo scenario loaded, the server
//! started, and the address and accounts printed.

use crate::commands::open;
use anyhow::Context;
use carebridge_domain::audit::Actor;
use carebridge_domain::designation::DesignationOrderDraft;
use carebridge_domain::user::Scope;
use carebridge_scenario::{Scenario, ScenarioScope, DEMO_PASSWORD};
use carebridge_server::startup::shutdown_signal;
use carebridge_server::{Application, ServerConfig};
use carebridge_service::users::NewUser;
use carebridge_service::{Carebridge, RequestMeta};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

pub async fn run(data: Option<PathBuf>, listen: &str, seed: u64) -> anyhow::Result<ExitCode> {
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
        load(&cb, &scenario).await.context("loading the demo scenario")?;
    } else {
        eprintln!("using the existing data in {}", db.display());
    }
    let app = Application::build(&ServerConfig { listen: listen.to_string() }, cb.clone()).await?;
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
        println!("  {:<14} {:<24} {}", u.username, u.role.as_str(), scope);
    }
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

/// Load a scenario: facilities, then accounts, then designation orders, then capacity history.
pub async fn load(cb: &Carebridge, scenario: &Scenario) -> anyhow::Result<()> {
    let meta = RequestMeta { request_id: Some("demo-load".into()) };
    let actor = Actor::system("demo");
    let mut tx = cb.store.begin().await?;
    for f in &scenario.facilities {
        cb.import_facility_with_id(&mut tx, &actor, f.id, f.draft.clone(), &meta)
            .await
            .with_context(|| format!("facility {}", f.key))?;
    }
    tx.commit().await?;
    let mut users = HashMap::new();
    for u in &scenario.users {
        let scope = match u.scope {
            ScenarioScope::Nation | ScenarioScope::Own => None,
            ScenarioScope::Region(c) => Some(c.to_string()),
            ScenarioScope::Facility(k) => {
                Some(scenario.facility_id(k).with_context(|| format!("no facility {k}"))?.to_string())
            }
        };
        let new = NewUser {
            username: u.username.to_string(),
            password: DEMO_PASSWORD.to_string(),
            role: u.role,
            scope,
            display_name: Some(u.display_name.clone()),
        };
        let user = cb.create_user(None, new, &meta).await.with_context(|| format!("user {}", u.username))?;
        debug_assert!(matches!(user.scope, Scope::Nation | Scope::Region(_) | Scope::Facility(_) | Scope::Own));
        users.insert(u.username, user.id);
    }
    let mut tx = cb.store.begin().await?;
    for f in &scenario.facilities {
        for d in &f.designations {
            let by = *users.get(d.ordered_by).with_context(|| format!("no user {}", d.ordered_by))?;
            let draft = DesignationOrderDraft {
                facility_id: f.id,
                designation: d.designation,
                effective_at: d.effective_at,
                reason: d.reason.clone(),
                order_number: d.order_number.clone(),
            };
            let actor = Actor { user_id: Some(by), name: d.ordered_by.to_string(), role: None };
            cb.import_designation(&mut tx, &actor, draft, by, &meta).await?;
        }
    }
    tx.commit().await?;
    cb.import_capacity(&actor, scenario.reports.clone(), &meta).await?;
    Ok(())
}
