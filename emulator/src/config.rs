//! The command line (API.md §5): flags, their environment variables and defaults.
//! Hand-rolled, since a dozen flags do not need an argument-parsing crate.

use std::path::PathBuf;

use crate::fault::{parse_latency, parse_rate, FaultConfig};

/// The usage text printed by `--help`.
pub const USAGE: &str = "\
cocobase-emulator: a local, API-compatible Cocobase auth server

USAGE:
    cocobase-emulator [OPTIONS]

OPTIONS:
    --port N                 port on 127.0.0.1, 0 picks a free one [env COCOBASE_PORT, default 8787]
    --db PATH                SQLite file, or :memory: [env COCOBASE_DB, default .cocobase/emulator.sqlite3]
    --api-key KEY            the project's publishable key [env COCOBASE_API_KEY, default pk_test_emulator]
                             (the secret key sk_test_emulator is accepted too)
    --tier free|pro|enterprise
                             requests per minute: 60, 1000, unlimited [default free]
    --rate-limit N           overrides the tier's per-minute limit
    --token-ttl SECONDS      lifetime of issued tokens [default 172800]
    --serve DIR              also serve DIR's static files at /
    --files DIR              where uploaded files are kept [default .cocobase/files]
    --self-roles a,b         roles a signup may claim (others are dropped) [default: any]
    --allowed-redirect ORIGIN
                             an origin OAuth redirect_uris may point to; repeatable
                             [default: any loopback origin: 127.0.0.1, localhost, [::1]]
    --no-2fa                 the project has 2FA off: 2fa/enable answers 400
    --google-client-id ID    the audience google-verify wants in ID tokens
                             [default emulator.apps.googleusercontent.com]
    --password-reset-url URL where reset mails link to (with ?token=...)
                             [default: the emulator's /auth-collections/reset-password-page]
    --verification-url URL   where verification mails link to (with ?token=...)
                             [default: the emulator's /verify-email]

Mails (2FA codes, reset and verification links) are not sent: each is printed as one
line on stderr and kept in the outbox, GET /__emulator/outbox?to=EMAIL.

TESTING CLIENTS ON A BAD NETWORK (off by default; only API routes under /auth-collections):
    --fault-rate P           answer that share (0 to 1) of API requests, before any handler
                             runs (so a faulted request changes nothing), with one of, at
                             random: 500 with a JSON detail, 502 with an HTML page, a dropped
                             connection, or 429 with Retry-After: 1 [default 0]
    --latency MS|MIN-MAX     wait MS, or a random MIN to MAX milliseconds, before each API
                             request [default 0]
    -h, --help               print this text
";

/// The publishable key used when none is configured.
pub const DEFAULT_API_KEY: &str = "pk_test_emulator";
/// The project's secret key; it shares the publishable key's rate-limit budget.
pub const SECRET_API_KEY: &str = "sk_test_emulator";

/// The Google client id used when none is configured.
pub const DEFAULT_GOOGLE_CLIENT_ID: &str = "emulator.apps.googleusercontent.com";

/// A plan's per-minute request budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// 60 requests per minute.
    Free,
    /// 1000 requests per minute.
    Pro,
    /// No limit unless `--rate-limit` sets one.
    Enterprise,
}

/// Everything the emulator can be told on its command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1; 0 asks the OS for a free one.
    pub port: u16,
    /// SQLite database file, or `:memory:`.
    pub db: String,
    /// The project's publishable key.
    pub api_key: String,
    /// The project's secret key.
    pub secret_key: String,
    /// The project id reported as `client_id`.
    pub project_id: String,
    /// The plan, which sets the default rate limit.
    pub tier: Tier,
    /// Overrides the tier's per-minute limit.
    pub rate_limit: Option<u32>,
    /// Lifetime of issued tokens, in seconds.
    pub token_ttl: u64,
    /// Static files served at `/`.
    pub serve: Option<PathBuf>,
    /// Where uploaded files are stored.
    pub files: PathBuf,
    /// Roles a signup may claim; `None` accepts any.
    pub self_roles: Option<Vec<String>>,
    /// Origins (`scheme://host[:port]`) OAuth `redirect_uri`s may use; empty means any
    /// loopback origin.
    pub allowed_redirects: Vec<String>,
    /// Injected faults and latency (`--fault-rate`, `--latency`); off by default.
    pub faults: FaultConfig,
    /// Whether users may turn on the second factor (`--no-2fa` turns it off).
    pub two_factor: bool,
    /// The audience of accepted Google ID tokens.
    pub google_client_id: String,
    /// Where reset mails link to; `None`: the emulator's own reset page.
    pub password_reset_url: Option<String>,
    /// Where verification mails link to; `None`: the emulator's root `/verify-email`.
    pub verification_url: Option<String>,
    /// The base URL the binary printed (`http://127.0.0.1:PORT`), for the mails' default
    /// links; `None` (tests) takes the request's `Host`.
    pub base_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 8787,
            db: ".cocobase/emulator.sqlite3".into(),
            api_key: DEFAULT_API_KEY.into(),
            secret_key: SECRET_API_KEY.into(),
            project_id: "emulator-project".into(),
            tier: Tier::Free,
            rate_limit: None,
            token_ttl: 172_800,
            serve: None,
            files: PathBuf::from(".cocobase/files"),
            self_roles: None,
            allowed_redirects: Vec::new(),
            faults: FaultConfig::default(),
            two_factor: true,
            google_client_id: DEFAULT_GOOGLE_CLIENT_ID.into(),
            password_reset_url: None,
            verification_url: None,
            base_url: None,
        }
    }
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Command {
    /// Run the server with this configuration.
    Run(Box<Config>),
    /// Print [`USAGE`] and exit.
    Help,
}

impl Config {
    /// A configuration for tests: an in-memory database and the given files directory.
    pub fn for_tests(files: impl Into<PathBuf>) -> Self {
        Self {
            port: 0,
            db: ":memory:".into(),
            files: files.into(),
            tier: Tier::Enterprise,
            ..Self::default()
        }
    }

    /// The per-minute request budget, `None` for unlimited.
    pub fn requests_per_minute(&self) -> Option<u32> {
        self.rate_limit.or(match self.tier {
            Tier::Free => Some(60),
            Tier::Pro => Some(1000),
            Tier::Enterprise => None,
        })
    }

    /// Reads flags from `args` (without the program name); `env` looks up environment
    /// variables, which flags override.
    pub fn parse<I, E>(args: I, env: E) -> Result<Command, String>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut c = Config::default();
        if let Some(v) = env("COCOBASE_PORT") {
            c.port = parse_port(&v).map_err(|e| format!("COCOBASE_PORT: {e}"))?;
        }
        if let Some(v) = env("COCOBASE_DB") {
            c.db = v;
        }
        if let Some(v) = env("COCOBASE_API_KEY") {
            c.api_key = v;
        }
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            if flag == "-h" || flag == "--help" {
                return Ok(Command::Help);
            }
            if flag == "--no-2fa" {
                if inline.is_some() {
                    return Err("--no-2fa takes no value".into());
                }
                c.two_factor = false;
                continue;
            }
            let mut value = || -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--port" => c.port = parse_port(&value()?)?,
                "--db" => c.db = non_empty(&flag, value()?)?,
                "--api-key" => c.api_key = non_empty(&flag, value()?)?,
                "--tier" => {
                    c.tier = match value()?.as_str() {
                        "free" => Tier::Free,
                        "pro" => Tier::Pro,
                        "enterprise" => Tier::Enterprise,
                        other => {
                            return Err(format!(
                                "--tier must be free, pro or enterprise, not {other:?}"
                            ))
                        }
                    }
                }
                "--rate-limit" => {
                    let v = value()?;
                    let n: u32 = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        format!("--rate-limit must be a positive integer, not {v:?}")
                    })?;
                    c.rate_limit = Some(n);
                }
                "--token-ttl" => {
                    let v = value()?;
                    c.token_ttl = v
                        .parse()
                        .ok()
                        .filter(|n| *n > 0 && *n <= 10 * 365 * 86_400)
                        .ok_or_else(|| {
                            format!("--token-ttl must be a number of seconds, not {v:?}")
                        })?;
                }
                "--serve" => c.serve = Some(PathBuf::from(non_empty(&flag, value()?)?)),
                "--files" => c.files = PathBuf::from(non_empty(&flag, value()?)?),
                "--self-roles" => {
                    let roles: Vec<String> = value()?
                        .split(',')
                        .map(str::trim)
                        .filter(|r| !r.is_empty())
                        .map(String::from)
                        .collect();
                    c.self_roles = Some(roles);
                }
                "--allowed-redirect" => {
                    let v = value()?;
                    let origin = crate::url::origin_of(&v)
                        .filter(|o| o.eq_ignore_ascii_case(v.trim_end_matches('/')))
                        .ok_or_else(|| {
                            format!("--allowed-redirect wants an origin such as http://localhost:3000, not {v:?}")
                        })?;
                    c.allowed_redirects.push(origin);
                }
                "--google-client-id" => c.google_client_id = non_empty(&flag, value()?)?,
                "--password-reset-url" => c.password_reset_url = Some(link_base(&flag, value()?)?),
                "--verification-url" => c.verification_url = Some(link_base(&flag, value()?)?),
                "--fault-rate" => c.faults.rate = parse_rate(&value()?)?,
                "--latency" => c.faults.latency_ms = Some(parse_latency(&value()?)?),
                _ => return Err(format!("unknown argument {arg:?} (see --help)")),
            }
        }
        Ok(Command::Run(Box::new(c)))
    }
}

fn parse_port(v: &str) -> Result<u16, String> {
    v.parse()
        .map_err(|_| format!("--port must be a number from 0 to 65535, not {v:?}"))
}

/// An absolute http(s) URL without a fragment, to which mails add `token=`.
fn link_base(flag: &str, v: String) -> Result<String, String> {
    if crate::url::origin_of(&v).is_none() || v.contains('#') || v.chars().any(char::is_whitespace)
    {
        return Err(format!(
            "{flag} wants an absolute http(s) URL without #fragment, not {v:?}"
        ));
    }
    Ok(v)
}

fn non_empty(flag: &str, v: String) -> Result<String, String> {
    if v.is_empty() {
        Err(format!("{flag} needs a non-empty value"))
    } else {
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        Config::parse(args.iter().map(|s| s.to_string()), |_| None)
    }

    fn run(args: &[&str]) -> Config {
        match parse(args) {
            Ok(Command::Run(c)) => *c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_and_flags() {
        let c = run(&[]);
        assert_eq!(c.port, 8787);
        assert_eq!(c.requests_per_minute(), Some(60));
        let c = run(&[
            "--port",
            "0",
            "--db=:memory:",
            "--tier",
            "pro",
            "--self-roles",
            "a, b",
            "--allowed-redirect",
            "http://localhost:3000",
        ]);
        assert_eq!((c.port, c.db.as_str()), (0, ":memory:"));
        assert_eq!(c.requests_per_minute(), Some(1000));
        assert_eq!(c.self_roles, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(
            c.allowed_redirects,
            vec!["http://localhost:3000".to_string()]
        );
        assert_eq!(c.faults, FaultConfig::default());
        assert!(!c.faults.enabled());
        let f = run(&["--fault-rate", "0.2", "--latency=0-20"]).faults;
        assert_eq!((f.rate, f.latency_ms), (0.2, Some((0, 20))));
        assert!(f.enabled());
        assert_eq!(run(&["--latency", "5"]).faults.latency_ms, Some((5, 5)));
        assert!(c.two_factor);
        assert_eq!(c.google_client_id, DEFAULT_GOOGLE_CLIENT_ID);
        let c = run(&[
            "--no-2fa",
            "--google-client-id",
            "abc.apps.googleusercontent.com",
            "--password-reset-url",
            "http://localhost:3000/reset?x=1",
            "--verification-url=https://app.example/verify",
        ]);
        assert!(!c.two_factor);
        assert_eq!(c.google_client_id, "abc.apps.googleusercontent.com");
        assert_eq!(
            c.password_reset_url.as_deref(),
            Some("http://localhost:3000/reset?x=1")
        );
        assert_eq!(
            c.verification_url.as_deref(),
            Some("https://app.example/verify")
        );
        assert_eq!(run(&["--tier", "enterprise"]).requests_per_minute(), None);
        assert_eq!(
            run(&["--tier", "enterprise", "--rate-limit", "5"]).requests_per_minute(),
            Some(5)
        );
    }

    #[test]
    fn env_is_overridden_by_flags() {
        let env = |k: &str| (k == "COCOBASE_PORT").then(|| "9000".to_string());
        match Config::parse(Vec::new(), env) {
            Ok(Command::Run(c)) => assert_eq!(c.port, 9000),
            other => panic!("{other:?}"),
        }
        match Config::parse(vec!["--port".into(), "1".into()], env) {
            Ok(Command::Run(c)) => assert_eq!(c.port, 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_flags_are_errors() {
        for bad in [
            &["--port", "x"][..],
            &["--tier", "gold"],
            &["--nope"],
            &["--db"],
            &["--rate-limit", "0"],
            &["--allowed-redirect", "http://x/path"],
            &["--fault-rate", "2"],
            &["--fault-rate"],
            &["--latency", "9-1"],
            &["--password-reset-url", "/reset"],
            &["--verification-url", "ftp://x/verify"],
            &["--verification-url", "http://x/v#frag"],
            &["--google-client-id", ""],
            &["--no-2fa=yes"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(parse(&["--help"]), Ok(Command::Help)));
    }
}
