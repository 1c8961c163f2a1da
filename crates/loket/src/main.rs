//! The `loket` command: serve the app, run migrations, manage staff accounts.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod jobs;
mod serve;
mod users;

fn main() -> ExitCode {
    return_freed_memory();
    let cli = cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(cli::run(cli));
    // Background tasks (a database listener) do not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, with its causes, never a panic.
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause said once (a cause's text often repeats
/// inside its parent's).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// glibc raises its mmap threshold after a large block is freed, so that the next ones (a 19 MiB
/// Argon2 buffer at each sign-in) stay in the heap after use. A fixed threshold keeps large blocks
/// mapped, and unmapped when freed: the server's memory goes back down after a burst of sign-ins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_freed_memory() {
    // SAFETY: mallopt only sets an allocator parameter; called once, before any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_freed_memory() {}
