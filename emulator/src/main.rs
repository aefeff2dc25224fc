//! The `cocobase-emulator` binary: parse the command line, bind 127.0.0.1, serve until
//! SIGINT or SIGTERM.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use cocobase_emulator::config::USAGE;
use cocobase_emulator::{app, AppState, Command, Config};

fn main() -> ExitCode {
    let config = match Config::parse(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(Command::Run(c)) => *c,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("cocobase-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = config.serve.as_ref().filter(|d| !d.is_dir()) {
        eprintln!(
            "cocobase-emulator: --serve {} is not a folder",
            dir.display()
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cocobase-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cocobase-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(mut config: Config) -> std::io::Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
    let port = listener.local_addr()?.port();
    // Mailed links point at the address printed below, whatever Host a request names.
    config.base_url = Some(format!("http://127.0.0.1:{port}"));
    let state = AppState::new(config)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open the database: {e}")))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "cocobase-emulator listening on http://127.0.0.1:{port}"
        )?;
        out.flush()?;
    }
    let limit = match state.config.requests_per_minute() {
        Some(n) => format!("{n} requests per minute"),
        None => "no rate limit".to_string(),
    };
    // Details go to stderr: stdout's first line is the one scripts read.
    eprintln!(
        "cocobase-emulator: project key {}, database {}, {limit}",
        state.config.api_key, state.config.db
    );
    let faults = state.config.faults;
    if faults.enabled() {
        let latency = match faults.latency_ms {
            Some((min, max)) if min == max => format!("{min} ms"),
            Some((min, max)) => format!("{min}-{max} ms"),
            None => "0 ms".to_string(),
        };
        eprintln!(
            "cocobase-emulator: INJECTING FAULTS into {:.0}% of API requests, latency {latency}",
            faults.rate * 100.0
        );
    }
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
