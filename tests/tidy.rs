//! Tidy: the project's rules with reasons, checked as plain tests so a rule travels with its why.
//! Each failure message names the rule and how to fix it.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in ["crates", "tests", "benches"] {
        rust_files(&root().join(d), &mut files);
    }
    files
}

/// Rule: every file opens with a `//!` doc saying why it exists.
/// Rationale: a reader (and reviewer) learns a module's job before its code.
#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<_> = all_rust_files()
        .into_iter()
        .filter(|p| {
            let text = fs::read_to_string(p).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|p| p.strip_prefix(root()).unwrap_or(&p).display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a `//!` module doc (add one saying why the file exists): {missing:#?}");
}

/// Rule: the domain and the engines do no I/O.
/// Rationale: pure code is testable and replayable; engines take snapshots, never a database.
#[test]
fn domain_and_engines_depend_on_no_io_crates() {
    const IO: &[&str] =
        &["tokio", "sqlx", "axum", "reqwest", "hyper", "tower", "carebridge-store", "carebridge-server"];
    for krate in ["domain", "engines", "scenario", "interop"] {
        let manifest = fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).expect("manifest");
        let deps = manifest.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("");
        for io in IO {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(&format!("{io} ")) || l.trim_start().starts_with(&format!("{io}."))),
                "crates/{krate} depends on `{io}`: the {krate} crate must stay pure (no I/O); move the I/O to store/service/server"
            );
        }
    }
}

/// Rule: both backends have the same migration versions.
/// Rationale: a schema change made on one backend only is a bug the other finds in production.
#[test]
fn migrations_match_across_backends() {
    let list = |b: &str| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(root().join("crates/store/migrations").join(b))
            .expect("migrations dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        list("sqlite"),
        list("postgres"),
        "every migration needs a twin with the same file name on the other backend"
    );
    assert_eq!(
        carebridge_store::migrate::SQLITE.iter().map(|m| m.version).collect::<Vec<_>>(),
        carebridge_store::migrate::POSTGRES.iter().map(|m| m.version).collect::<Vec<_>>(),
        "embedded migration versions differ between backends"
    );
}

/// Rule: no should-panic tests and no ignored tests.
/// Rationale: a panic test passes for the wrong panic; an ignored test is a test that cannot
/// fail. A PostgreSQL test without its URL prints SKIPPED instead.
#[test]
fn no_should_panic_or_ignore() {
    let (a, b) = (concat!("#[should", "_panic"), concat!("#[ig", "nore"));
    let offenders: Vec<_> = all_rust_files()
        .into_iter()
        .filter(|p| {
            let t = fs::read_to_string(p).unwrap_or_default();
            t.contains(a) || t.contains(b)
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}: return a Result or assert on the error instead");
}

/// Rule: `docs/openapi.json` is the document the code generates.
/// Rationale: clients read the checked-in file; it must not drift. Regenerate with
/// `UPDATE_OPENAPI=1 cargo test -p carebridge-e2e --test tidy`.
#[test]
fn checked_in_openapi_matches_the_code() {
    let generated = serde_json::to_string_pretty(&carebridge_server::api::v1::openapi()).expect("serialise") + "\n";
    let path = root().join("docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        fs::write(&path, &generated).expect("write docs/openapi.json");
    }
    let stored = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == generated,
        "docs/openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p carebridge-e2e --test tidy` and commit it"
    );
}
