//! The real binary: its first stdout line, serving, persistence in a file database,
//! SIGTERM, and bad flags.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use common::{TempDir, KEY, PASSWORD};

const BIN: &str = env!("CARGO_BIN_EXE_cocobase-emulator");

struct Emulator {
    child: Child,
    port: u16,
}

impl Emulator {
    fn start(args: &[&str]) -> Self {
        let (child, port) = common::spawn_binary(args, Stdio::inherit());
        Self { child, port }
    }

    /// A raw HTTP/1.1 request; answers (status, headers+body text).
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
            self.port
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out.split(' ').nth(1).unwrap().parse().unwrap();
        (status, out)
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap()
    }
}

fn json_body(raw: &str) -> serde_json::Value {
    serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap()
}

#[test]
fn prints_its_port_serves_and_exits_cleanly_on_sigterm() {
    let files = TempDir::new();
    let emu = Emulator::start(&[
        "--port",
        "0",
        "--db",
        ":memory:",
        "--files",
        files.0.to_str().unwrap(),
    ]);
    let (status, raw) = emu.request("GET", "/__emulator/health", &[], "");
    assert_eq!(status, 200, "{raw}");
    assert!(raw.to_ascii_lowercase().contains("\r\ndate: "), "{raw}");
    let (status, _) = emu.request("GET", "/auth-collections/users", &[("x-api-key", KEY)], "");
    assert_eq!(status, 200);
    let status = emu.terminate();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_file_database_keeps_users_and_the_signing_secret() {
    let dir = TempDir::new();
    let db = dir.0.join("nested/folder/emulator.sqlite3");
    let db = db.to_str().unwrap();
    let files = dir.0.join("files");
    let args = [
        "--port",
        "0",
        "--db",
        db,
        "--files",
        files.to_str().unwrap(),
    ];
    let headers = [("x-api-key", KEY), ("content-type", "application/json")];

    let emu = Emulator::start(&args);
    let body = serde_json::json!({"email": "keep@example.com", "password": PASSWORD}).to_string();
    let (status, raw) = emu.request("POST", "/auth-collections/signup", &headers, &body);
    assert_eq!(status, 200, "{raw}");
    assert!(!raw.contains("argon2"));
    let token = json_body(&raw)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(emu.terminate().success());

    let emu = Emulator::start(&args);
    let auth = format!("Bearer {token}");
    let (status, raw) = emu.request(
        "GET",
        "/auth-collections/user",
        &[("x-api-key", KEY), ("authorization", &auth)],
        "",
    );
    assert_eq!(status, 200, "{raw}");
    assert_eq!(json_body(&raw)["email"], "keep@example.com");
    assert!(emu.terminate().success());
}

#[test]
fn bad_flags_exit_2_and_help_exits_0() {
    let out = Command::new(BIN).args(["--tier", "gold"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tier"));
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--allowed-redirect"));
}

#[test]
fn mails_go_to_stderr_on_one_line_and_link_to_the_printed_address() {
    use std::io::BufRead;
    let files = TempDir::new();
    let (mut child, port) = common::spawn_binary(
        &[
            "--port",
            "0",
            "--db",
            ":memory:",
            "--files",
            files.0.to_str().unwrap(),
        ],
        Stdio::piped(),
    );
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            if lines_tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let emu = Emulator { child, port };
    let headers = [("x-api-key", KEY), ("content-type", "application/json")];
    let body = serde_json::json!({"email": "mail@example.com", "password": PASSWORD}).to_string();
    let (status, raw) = emu.request("POST", "/auth-collections/signup", &headers, &body);
    assert_eq!(status, 200, "{raw}");
    let body = r#"{"email":"mail@example.com"}"#;
    let (status, _) = emu.request("POST", "/auth-collections/forgot-password", &headers, body);
    assert_eq!(status, 200);
    let (status, raw) = emu.request("GET", "/__emulator/outbox", &[], "");
    assert_eq!(status, 200);
    let mail = json_body(&raw)["messages"][0].clone();
    let link = mail["link"].as_str().unwrap().to_string();
    assert_eq!(
        link,
        format!(
            "http://127.0.0.1:{port}/auth-collections/reset-password-page?token={}",
            mail["token"].as_str().unwrap()
        )
    );
    let timeout = std::time::Duration::from_secs(10);
    let line = loop {
        let line = lines.recv_timeout(timeout).expect("the mail's stderr line");
        if line.contains("[password_reset]") {
            break line;
        }
    };
    assert!(
        line.starts_with("cocobase-emulator: mail 1 to mail@example.com"),
        "{line}"
    );
    assert!(line.contains(&link), "{line}");
    assert!(emu.terminate().success());
}
