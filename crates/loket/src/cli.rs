//! The command line. Every option can also come from its `LOKET_*` environment variable.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use loket_domain::auth::Role;
use loket_domain::outbound::PrinterAddresses;
use loket_store::Store;

/// Loket: the service desk of an LPSE walk-in helpdesk.
#[derive(Parser, Debug)]
#[command(name = "loket", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct DatabaseArg {
    /// `sqlite://loket.db` (relative), `sqlite:///var/lib/loket.db` (absolute) or `postgres://…`.
    #[arg(long = "database", env = "LOKET_DATABASE_URL", default_value = "sqlite://loket.db", global = true)]
    pub url: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start Loket: run migrations, create the first admin if there are no users, serve HTTP.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "LOKET_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        database: DatabaseArg,
        /// Kiosk forms accepted per client address per minute.
        #[arg(long, env = "LOKET_KIOSK_PER_MINUTE", default_value_t = 30)]
        kiosk_per_minute: u32,
        #[command(flatten)]
        connections: ConnectionArgs,
        /// Print tickets to any address (the server itself, any port), not only to printers on
        /// the network at ports 9100-9109. Link-local and metadata addresses stay refused.
        #[arg(long, env = "LOKET_ALLOW_ANY_PRINTER_ADDRESS")]
        allow_any_printer_address: bool,
    },
    /// Create or update the database schema, then exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document of the API.
    Openapi,
}

/// How long a client may take and how many may be connected (defaults for an office LAN).
#[derive(Args, Debug, Clone)]
pub struct ConnectionArgs {
    /// Seconds a client has to send a request's headers; also how long an idle connection stays open.
    #[arg(long, env = "LOKET_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds a client has to send a request's body once its headers are in (then 408).
    #[arg(long, env = "LOKET_BODY_TIMEOUT", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// Connections open at once (event streams included); more wait to be accepted.
    #[arg(long, env = "LOKET_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections: u64,
    /// Connections open at once from one client address (past it: 429). Behind a reverse proxy,
    /// where every client has the proxy's address, set it to --max-connections.
    #[arg(long, env = "LOKET_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections_per_address: u64,
    /// Public event streams (display boards, visitors' status pages) open at once from one address.
    #[arg(long, env = "LOKET_PUBLIC_STREAMS_PER_ADDRESS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub public_streams_per_address: u64,
    /// Public event streams open at once in all (never more than a quarter of --max-connections).
    #[arg(long, env = "LOKET_MAX_PUBLIC_STREAMS", default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_public_streams: u64,
    /// Seconds the requests in flight may take to finish at shutdown (SIGTERM, Ctrl-C).
    #[arg(long, env = "LOKET_SHUTDOWN_GRACE", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_grace: u64,
}

impl ConnectionArgs {
    pub fn limits(&self) -> loket_web::limits::ConnectionLimits {
        use std::time::Duration;
        loket_web::limits::ConnectionLimits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            max_connections_per_address: usize::try_from(self.max_connections_per_address).unwrap_or(usize::MAX),
            public_streams_per_address: usize::try_from(self.public_streams_per_address).unwrap_or(usize::MAX),
            max_public_streams: usize::try_from(self.max_public_streams).unwrap_or(usize::MAX),
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a staff account. The password comes from LOKET_PASSWORD, else it is asked for.
    Add {
        name: String,
        /// front_office, helpdesk, supervisor, admin or auditor; repeat for several.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        #[arg(long)]
        full_name: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// List staff accounts.
    List {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Set a new password (from LOKET_PASSWORD, else asked for); ends the user's sessions.
    Passwd {
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Disable an account; its sessions end at once.
    Disable {
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Enable a disabled account again.
    Enable {
        name: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Replace an account's roles (and full name). The last enabled admin keeps the admin role.
    Set {
        name: String,
        /// front_office, helpdesk, supervisor, admin or auditor; repeat for several.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// Keeps the current full name when left out.
        #[arg(long)]
        full_name: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| format!("unknown role {s:?} (use front_office, helpdesk, supervisor, admin or auditor)"))
}

pub async fn open(database: &DatabaseArg) -> anyhow::Result<Arc<dyn Store>> {
    loket_store::connect(&database.url, Some(loket_documents::archive_renderer()))
        .await
        .with_context(|| format!("cannot open the database {}", loket_store::redact(&database.url)))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { listen, database, kiosk_per_minute, connections, allow_any_printer_address } => {
            let store = open(&database).await?;
            let printers = if allow_any_printer_address { PrinterAddresses::Any } else { PrinterAddresses::Network };
            let limits = loket_web::limits::Limits {
                kiosk_per_minute,
                connections: connections.limits(),
                printers,
                ..Default::default()
            };
            crate::serve::serve(store, listen, limits).await
        }
        Command::Migrate { database } => {
            open(&database).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::User { command } => crate::users::run(command).await,
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&loket_web::openapi())?);
            Ok(())
        }
    }
}
