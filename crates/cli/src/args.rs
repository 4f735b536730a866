//! Command-line arguments, checked by clap before any data is touched.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "carebridge", version, about = "Keeps a health system working through an epidemic surge.")]
pub struct Cli {
    /// More logging (-v info, -vv debug); CAREBRIDGE_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Configuration file (default: ./carebridge.toml if present).
    #[arg(long, global = true, env = "CAREBRIDGE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct DbArgs {
    /// Database URL: sqlite://PATH (embedded) or postgres://USER@HOST/DB.
    #[arg(long, env = "CAREBRIDGE_DATABASE_URL")]
    pub database_url: Option<String>,
}

/// How the server is reached and what it accepts (`serve` and `demo`).
#[derive(Debug, Args, Clone)]
pub struct HttpArgs {
    /// The URL clients reach the server at, when a proxy stands in front (default: the listen
    /// address, or `public_url` in the config). FHIR's absolute `fullUrl`s are built from it.
    #[arg(long, env = "CAREBRIDGE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Largest request body in bytes, 1024 to 268435456 (default 1048576, or `body_limit` in
    /// the config); a larger body is answered 413 before it is read.
    #[arg(long, env = "CAREBRIDGE_BODY_LIMIT", value_parser = clap::value_parser!(u64).range(1024..=268_435_456))]
    pub body_limit: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start Carebridge on an embedded SQLite file with the demo scenario loaded.
    Demo {
        /// Keep the database in this directory (default: a fresh temporary one).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Seed of the scenario (same seed, same demo).
        #[arg(long, default_value_t = carebridge_scenario::DEMO_DEFAULT_SEED)]
        seed: u64,
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Serve the API, FHIR facade and pages.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on (default 127.0.0.1:8080, or `listen` in the config).
        #[arg(long, env = "CAREBRIDGE_LISTEN")]
        listen: Option<String>,
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Apply pending database migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Import a CSV file (one transaction: any bad row imports nothing).
    Import {
        what: Dataset,
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Export to CSV (to FILE, or standard output with `-`).
    Export {
        what: Dataset,
        #[arg(default_value = "-")]
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Solve a min-cost-flow instance in DIMACS format (FILE, or `-` for standard input): prints
    /// `s COST` and `f FROM TO FLOW` lines. Exit 3: infeasible; exit 2: unusable input.
    SolveMcf {
        /// The instance (`p min N M`, `n ID SUPPLY`, `a FROM TO LOW CAP COST` lines), or `-`.
        file: PathBuf,
    },
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Dataset {
    Facilities,
    Capacity,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input or a prompt.
    Add {
        #[arg(long)]
        username: String,
        /// national_coordinator, provincial_coordinator, city_coordinator, facility_desk,
        /// clinician, patient or auditor.
        #[arg(long)]
        role: String,
        /// A region code (coordinators) or facility id (desks, clinicians).
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// A national-size registry: import rate, rollups, HTTP ingestion.
    Registry(crate::commands::bench::RegistryArgs),
    /// The exact placement solver on seeded transport-like instances, beside OR-Tools.
    Placement(crate::commands::bench::PlacementArgs),
    /// Online placement: single referrals answered against a national registry.
    Online(crate::commands::bench::OnlineArgs),
    /// Report to offer: a freed bed offered to one of 1,000 patients waiting in a full city.
    OfferLatency(crate::commands::bench::OfferLatencyArgs),
    /// Durable bookings over HTTP: many clients racing for a limited set of slots.
    Booking(crate::commands::bench::BookingArgs),
    /// The fever-clinic wait estimate's error against simulated queues.
    FeverWait(crate::commands::bench::FeverWaitArgs),
}
