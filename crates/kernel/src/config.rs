//! Settings. Precedence: built-in defaults < config file < `MUFAKAT_*` environment variables <
//! command-line flags. Every setting is documented in `docs/configuration.md`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use mufakat_store::Durability;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://...`. Default: `sqlite://{data_dir}/mufakat.sqlite`.
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    /// Where the SQLite file, keys and generated files live.
    pub data_dir: PathBuf,
    /// Workflow definitions folder.
    pub workflows_dir: PathBuf,
    /// `full` (survives power loss; default) or `normal`.
    pub durability: String,
    /// Lifetime of a login token, in hours.
    pub token_ttl_hours: i64,
    /// How long a node may reuse an authenticated token without reading its session again, in
    /// seconds (0: read on every request). Bounds how long a logout or role change made on one
    /// node takes to reach the others.
    pub session_cache_secs: u64,
    /// How long a node may answer an anonymous query with an answer it computed before, in
    /// milliseconds (0: never). Writes made through the node (and, on PostgreSQL, votes on any
    /// node) are seen at once; other changes made by other processes within this time.
    pub public_cache_ms: u64,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest GraphQL response sent, in bytes (larger ones are refused with
    /// `RESPONSE_TOO_LARGE`).
    pub max_response_bytes: usize,
    pub graphql_max_depth: usize,
    pub graphql_max_complexity: usize,
    /// Most fields a query may select once its fragments are expanded (checked before any
    /// other work, so that fragments spreading each other cannot multiply it).
    pub graphql_max_fields: u64,
    /// Failed logins for one username before it is locked for `login_lockout_secs`.
    pub login_max_failures: u32,
    pub login_lockout_secs: u64,
    /// Failed logins from one client address before that address is locked.
    pub login_max_failures_per_ip: u32,
    /// Resident registrations accepted from one client address per `register_window_secs`
    /// (every attempt counts, so registering cannot be used to probe many NIKs).
    pub register_max_per_ip: u32,
    pub register_window_secs: u64,
    /// PDFs generated for anonymous requests (the public priority list and adopted allocations)
    /// from one client address per `public_reports_window_secs`: each is rendered anew, so
    /// that no one can keep the server busy rendering.
    pub public_reports_max_per_ip: u32,
    pub public_reports_window_secs: u64,
    /// Addresses of reverse proxies in front of the server. For requests from them the client
    /// address (for rate limits and logs) is taken from `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Client addresses that may read `GET /metrics` (others get 404). Default: loopback only.
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// Key for the NIK keyed hash (hex, 32 bytes). When unset, read from or created in
    /// `{data_dir}/secrets/nik.key`. Every node of one deployment must share it.
    pub nik_hash_key: Option<String>,
    /// Log as JSON lines instead of human-readable text.
    pub log_json: bool,
    /// How often due workflow timers are looked for, in seconds.
    pub timer_poll_secs: u64,
    /// How often the audit head is signed (when it moved), in seconds.
    pub checkpoint_interval_secs: u64,
    /// Public keys (hex) that signed this deployment's checkpoints before its key was replaced;
    /// checkpoints signed by them stay valid. Only the current key and these are trusted.
    pub audit_earlier_public_keys: Vec<String>,
    /// Where uploaded files (vendors' documents, photos) are kept: unset for the folder
    /// `{data_dir}/blobs`, `file:///PATH` for another folder, or `s3://BUCKET` for any
    /// S3-compatible store (credentials and endpoint from the `AWS_*` environment variables;
    /// docs/operations.md). Every node of one deployment must share it.
    pub blob_store_url: Option<String>,
    /// Largest file accepted by an upload, in bytes.
    pub upload_max_bytes: usize,
    /// The web app's cookies are `Secure` on every request (set it when TLS ends in front of
    /// the server and the proxy is not in `trusted_proxies`; with a trusted proxy that sends
    /// `X-Forwarded-Proto: https`, they are `Secure` anyway).
    pub secure_cookies: bool,
    /// Test mode: the server runs on a clock that the `advanceClock` mutation moves forward
    /// (docs/workflows.md, "Time travel in tests"). Never set it in production: it lets an
    /// administrator fire every timer early.
    pub test_clock: bool,
    /// Where e-mail goes out: `smtp://host:port` (plain, to a relay on the same network),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://user:password@host` (TLS). Unset:
    /// no mail is sent (it waits in the outbox); the in-app notifications are the record.
    pub smtp_url: Option<String>,
    /// The sender of e-mail.
    pub mail_from: String,
    /// How often the outbox is looked at, in milliseconds.
    pub mail_poll_ms: u64,
    /// How a forum's berita acara is numbered when staff give no number: `{seq}` (the forum's
    /// place among the cycle's records; `{seq:03}` zero-padded), `{year}` (the cycle's),
    /// `{month_roman}` (of the forum's date), `{region_code}`, `{level}` (`KEL`, `KEC`, `KOTA`).
    pub document_number_pattern: String,
    /// The letterhead (kop surat) of the documents one signs and files (`[letterhead]` in the
    /// config file); without it they carry the plain header.
    pub letterhead: Option<LetterheadSettings>,
}

/// `[letterhead]`: the kop surat of signed documents. Documents of a kelurahan or kecamatan
/// name that office under the government; those of the kota name `office`, with `address`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LetterheadSettings {
    /// E.g. `Pemerintah Kota Mufakat` (printed in capitals).
    pub government: String,
    /// The kota's office that issues its documents, e.g. `Badan Perencanaan Pembangunan Daerah`.
    pub office: String,
    #[serde(default)]
    pub address: Option<String>,
    /// The region's logo: a PNG file (at most 2000 × 2000 pixels), checked at start.
    #[serde(default)]
    pub logo: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: None,
            listen: "127.0.0.1:8080".parse().unwrap(),
            data_dir: PathBuf::from("data"),
            workflows_dir: PathBuf::from("workflows"),
            durability: "full".into(),
            token_ttl_hours: 12,
            session_cache_secs: 5,
            public_cache_ms: 1000,
            max_body_bytes: 1024 * 1024,
            max_response_bytes: 8 * 1024 * 1024,
            graphql_max_depth: 16,
            graphql_max_complexity: 5000,
            graphql_max_fields: 2000,
            login_max_failures: 5,
            login_lockout_secs: 900,
            login_max_failures_per_ip: 100,
            register_max_per_ip: 30,
            register_window_secs: 3600,
            public_reports_max_per_ip: 60,
            public_reports_window_secs: 600,
            trusted_proxies: vec![],
            metrics_allow: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
            nik_hash_key: None,
            log_json: false,
            timer_poll_secs: 5,
            checkpoint_interval_secs: 3600,
            audit_earlier_public_keys: vec![],
            blob_store_url: None,
            upload_max_bytes: 10 * 1024 * 1024,
            secure_cookies: false,
            test_clock: false,
            smtp_url: None,
            mail_from: "Mufakat <noreply@localhost>".into(),
            mail_poll_ms: 2000,
            letterhead: None,
            document_number_pattern: "{seq:03}/BA-MUSRENBANG/{level}/{month_roman}/{year}".into(),
        }
    }
}

impl Settings {
    /// Reads the config file (when given, or `mufakat.toml` in the working directory when that
    /// exists), then the environment.
    pub fn load(config_file: Option<&Path>) -> anyhow::Result<Settings> {
        let default_file = Path::new("mufakat.toml");
        let path = config_file.or_else(|| default_file.exists().then_some(default_file));
        let mut s = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading config file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("in config file {}", p.display()))?
            }
            None => Settings::default(),
        };
        s.apply_env(|k| std::env::var(k).ok())?;
        Ok(s)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn parse<T: std::str::FromStr>(k: &str, v: String) -> anyhow::Result<T>
        where
            T::Err: std::fmt::Display,
        {
            v.parse::<T>().map_err(|e| anyhow::anyhow!("{k}={v}: {e}"))
        }
        if let Some(v) = get("MUFAKAT_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = get("MUFAKAT_LISTEN") {
            self.listen = parse("MUFAKAT_LISTEN", v)?;
        }
        if let Some(v) = get("MUFAKAT_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = get("MUFAKAT_WORKFLOWS_DIR") {
            self.workflows_dir = v.into();
        }
        if let Some(v) = get("MUFAKAT_DURABILITY") {
            self.durability = v;
        }
        if let Some(v) = get("MUFAKAT_TOKEN_TTL_HOURS") {
            self.token_ttl_hours = parse("MUFAKAT_TOKEN_TTL_HOURS", v)?;
        }
        if let Some(v) = get("MUFAKAT_SESSION_CACHE_SECS") {
            self.session_cache_secs = parse("MUFAKAT_SESSION_CACHE_SECS", v)?;
        }
        if let Some(v) = get("MUFAKAT_PUBLIC_CACHE_MS") {
            self.public_cache_ms = parse("MUFAKAT_PUBLIC_CACHE_MS", v)?;
        }
        if let Some(v) = get("MUFAKAT_MAX_BODY_BYTES") {
            self.max_body_bytes = parse("MUFAKAT_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = get("MUFAKAT_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| parse("MUFAKAT_TRUSTED_PROXIES", a.to_owned()))
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(v) = get("MUFAKAT_METRICS_ALLOW") {
            self.metrics_allow = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| parse("MUFAKAT_METRICS_ALLOW", a.to_owned()))
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(v) = get("MUFAKAT_AUDIT_EARLIER_PUBLIC_KEYS") {
            self.audit_earlier_public_keys = v
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = get("MUFAKAT_NIK_HASH_KEY") {
            self.nik_hash_key = Some(v);
        }
        if let Some(v) = get("MUFAKAT_TIMER_POLL_SECS") {
            self.timer_poll_secs = parse("MUFAKAT_TIMER_POLL_SECS", v)?;
        }
        if let Some(v) = get("MUFAKAT_CHECKPOINT_INTERVAL_SECS") {
            self.checkpoint_interval_secs = parse("MUFAKAT_CHECKPOINT_INTERVAL_SECS", v)?;
        }
        if let Some(v) = get("MUFAKAT_BLOB_STORE_URL") {
            self.blob_store_url = Some(v);
        }
        if let Some(v) = get("MUFAKAT_UPLOAD_MAX_BYTES") {
            self.upload_max_bytes = parse("MUFAKAT_UPLOAD_MAX_BYTES", v)?;
        }
        if let Some(v) = get("MUFAKAT_LOG_JSON") {
            self.log_json = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("MUFAKAT_SECURE_COOKIES") {
            self.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = get("MUFAKAT_SMTP_URL") {
            self.smtp_url = Some(v);
        }
        if let Some(v) = get("MUFAKAT_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = get("MUFAKAT_TEST_CLOCK") {
            self.test_clock = matches!(v.as_str(), "1" | "true" | "yes");
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("mufakat.sqlite").display()
            )
        })
    }

    pub fn durability(&self) -> anyhow::Result<Durability> {
        self.durability
            .parse()
            .map_err(|e: String| anyhow::anyhow!(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let mut s = Settings::default();
        s.apply_env(|k| match k {
            "MUFAKAT_LISTEN" => Some("0.0.0.0:9000".into()),
            "MUFAKAT_DATA_DIR" => Some("/srv/mufakat".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.database_url(), "sqlite:///srv/mufakat/mufakat.sqlite");
    }

    #[test]
    fn config_file_rejects_unknown_keys() {
        assert!(toml::from_str::<Settings>("listen = \"127.0.0.1:1\"\nlisen = 3").is_err());
        let s: Settings = toml::from_str("listen = \"127.0.0.1:1\"\ntoken_ttl_hours = 2").unwrap();
        assert_eq!(s.token_ttl_hours, 2);
    }
}
