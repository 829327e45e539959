//! Configuration: defaults, then `gatehouse.toml` (or `--config FILE`), then
//! `GATEHOUSE_*` variables, then command-line flags — each overriding the one
//! before. [`Config::check`] turns every bad value into one sentence.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "gatehouse.toml";

/// The keys that `GATEHOUSE_*` variables may set: exactly the fields of
/// [`Config`] (others, such as the test suite's `GATEHOUSE_TEST_DATABASE_URL`,
/// are not configuration).
fn config_keys() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Gatehouse's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The data folder: the SQLite database and mail files live here.
    pub data: PathBuf,
    /// `sqlite:…` or `postgres://…`; default: SQLite in the data folder.
    pub database_url: Option<String>,
    /// Address to listen on.
    pub bind: String,
    /// `smtp://` or `smtps://` relay for outgoing mail; default: files.
    pub smtp_url: Option<String>,
    /// Log filter (`info`, `debug`, `gatehouse=debug,sqlx=warn`, …).
    pub log: String,
    /// The address customers reach the server at (`https://portal.example.com`);
    /// links in mail use it. Default: the address it listens on.
    pub public_url: Option<String>,
    /// The sender of every mail: a no-reply address.
    pub mail_from: String,
    /// Mark session cookies `Secure`: set when the server is reached over TLS.
    pub secure_cookies: bool,
    /// Sign-ins, registrations and mail requests per minute from one address.
    pub rate_limit_per_ip: u32,
    /// Sign-ins and mail requests per minute for one login ID or address.
    pub rate_limit_per_account: u32,
    /// Load balancers (addresses or networks like `10.0.0.0/8`) whose
    /// `Forwarded` / `X-Forwarded-For` headers name the client; from any
    /// other peer those headers are ignored. Default: none.
    pub trusted_proxies: Vec<String>,
    /// Seconds a stopping server keeps serving with `/readyz` failing before
    /// it stops accepting, so that a load balancer notices first. Default 0.
    pub stop_delay_seconds: u32,
    /// Seconds a node's claim on mail lasts: mail claimed by a node that
    /// died is sent by another after this. Default 120.
    pub mail_lease_seconds: u32,
    /// Days after which the signing key is replaced by a new one (published
    /// a day before it signs); 0 turns the schedule off. Default 90.
    pub signing_key_rotation_days: u32,
    /// Seconds between runs of the retention purge (deleted accounts past
    /// their site's `deleted_retention_days` are erased); 0 turns it off.
    /// Default 3600.
    pub purge_interval_seconds: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: PathBuf::from("gatehouse-data"),
            database_url: None,
            bind: "127.0.0.1:8080".into(),
            smtp_url: None,
            log: "info".into(),
            public_url: None,
            mail_from: "Gatehouse <no-reply@localhost>".into(),
            secure_cookies: false,
            rate_limit_per_ip: 60,
            rate_limit_per_account: 10,
            trusted_proxies: Vec::new(),
            stop_delay_seconds: 0,
            mail_lease_seconds: 120,
            signing_key_rotation_days: 90,
            purge_interval_seconds: 3600,
        }
    }
}

/// Values given as flags; `None` leaves the lower layers' value.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
}

impl Config {
    /// Reads the layers. `explicit_file` is `--config` (or `GATEHOUSE_CONFIG`):
    /// it must exist; the default file is read only if it does.
    pub fn load(explicit_file: Option<&Path>, overrides: &Overrides) -> Result<Config> {
        let file = match explicit_file {
            Some(path) => {
                if !path.is_file() {
                    bail!("the configuration file {} does not exist", path.display());
                }
                Some(path.to_path_buf())
            }
            None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.is_file()),
        };
        let keys = config_keys();
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = &file {
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment
            .merge(
                Env::prefixed("GATEHOUSE_")
                    .filter(move |k| keys.iter().any(|key| k == key.as_str())),
            )
            .merge(Serialized::defaults(overrides));
        figment
            .extract()
            .map_err(|e| anyhow!("bad configuration: {}", e.to_string().replace('\n', "; ")))
    }

    /// The address to listen on.
    pub fn bind_addr(&self) -> Result<SocketAddr> {
        self.bind.parse().map_err(|_| {
            anyhow!(
                "the bind address '{}' is not an address like 127.0.0.1:8080",
                self.bind
            )
        })
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data.join("gatehouse.db").display()))
    }

    /// Checks every value that can be checked without side effects.
    pub fn check(&self) -> Result<()> {
        self.bind_addr()?;
        gatehouse_store::Engine::of_url(&self.database_url()).map_err(|e| anyhow!(e))?;
        if let Some(smtp) = &self.smtp_url {
            let parsed = url::Url::parse(smtp).map_err(|_| {
                anyhow!(
                    "the SMTP URL '{}' is not a URL",
                    gatehouse_store::redact_url(smtp)
                )
            })?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                bail!(
                    "the SMTP URL must look like smtp://host:587 or smtps://user:password@host:465 (got '{}')",
                    gatehouse_store::redact_url(smtp)
                );
            }
        }
        if let Some(public) = &self.public_url {
            let ok = url::Url::parse(public)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            if !ok {
                bail!("the public URL must look like https://portal.example.com (got '{public}')");
            }
        }
        self.mail_sender()?;
        gatehouse_web::client::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| anyhow!("trusted_proxies: {e}"))?;
        if self.rate_limit_per_ip == 0 || self.rate_limit_per_account == 0 {
            bail!("rate limits must be at least 1 per minute");
        }
        if self.mail_lease_seconds == 0 {
            bail!(
                "mail_lease_seconds must be at least 1 (a claim on mail that lasts no time is no claim)"
            );
        }
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .map_err(|e| anyhow!("the log filter '{}' is not valid: {e}", self.log))?;
        Ok(())
    }

    /// The sender of every mail.
    pub fn mail_sender(&self) -> Result<lettre::message::Mailbox> {
        self.mail_from.parse().map_err(|_| {
            anyhow!(
                "the mail sender '{}' is not an address like Portal <no-reply@example.com>",
                self.mail_from
            )
        })
    }

    /// The rate limits in force: each a burst of its per-minute number,
    /// refilled over the minute.
    pub fn rate_limits(&self) -> gatehouse_web::ratelimit::RateLimits {
        use gatehouse_web::ratelimit::{Budget, RateLimits};
        let budget = |n: u32| Budget {
            burst: n,
            per_minute: n,
        };
        RateLimits {
            per_ip: budget(self.rate_limit_per_ip),
            per_account: budget(self.rate_limit_per_account),
        }
    }

    /// Creates the data folder if needed and proves it can be written.
    pub fn prepare_data_folder(&self) -> Result<PathBuf> {
        let data = &self.data;
        std::fs::create_dir_all(data)
            .with_context(|| format!("the data folder {} cannot be created", data.display()))?;
        let probe = data.join(".gatehouse-write-test");
        std::fs::write(&probe, b"ok")
            .with_context(|| format!("the data folder {} is not writable", data.display()))?;
        let _ = std::fs::remove_file(&probe);
        data.canonicalize()
            .with_context(|| format!("the data folder {} cannot be resolved", data.display()))
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return its own large error.
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order_flags_env_file_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                DEFAULT_CONFIG_FILE,
                "bind = \"127.0.0.1:9000\"\nlog = \"debug\"\ndata = \"from-file\"",
            )?;
            jail.set_env("GATEHOUSE_DATA", "from-env");
            jail.set_env("GATEHOUSE_TEST_DATABASE_URL", "postgres://ignored");
            jail.set_env("GATEHOUSE_RATE_LIMIT_PER_ACCOUNT", "77");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "127.0.0.1:9000");
            assert_eq!(c.log, "debug");
            assert_eq!(c.data, PathBuf::from("from-env"));
            assert_eq!(c.database_url, None);
            assert_eq!(
                c.rate_limit_per_account, 77,
                "every field can be set by a variable"
            );
            let flags = Overrides {
                data: Some("from-flag".into()),
                ..Overrides::default()
            };
            let c = Config::load(None, &flags).map_err(|e| e.to_string())?;
            assert_eq!(c.data, PathBuf::from("from-flag"));
            Ok(())
        });
    }

    #[test]
    fn defaults_use_sqlite_in_the_data_folder() {
        figment::Jail::expect_with(|_| {
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c, Config::default());
            assert_eq!(c.database_url(), "sqlite://gatehouse-data/gatehouse.db");
            assert!(c.check().is_ok());
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_named_in_one_sentence() {
        let bad_bind = Config {
            bind: "localhost".into(),
            ..Config::default()
        };
        assert!(
            bad_bind
                .check()
                .unwrap_err()
                .to_string()
                .contains("'localhost' is not an address")
        );
        let bad_db = Config {
            database_url: Some("mysql://x".into()),
            ..Config::default()
        };
        assert!(
            bad_db
                .check()
                .unwrap_err()
                .to_string()
                .contains("must start with sqlite: or postgres://")
        );
        let bad_smtp = Config {
            smtp_url: Some("http://mail".into()),
            ..Config::default()
        };
        assert!(
            bad_smtp
                .check()
                .unwrap_err()
                .to_string()
                .contains("SMTP URL must look like")
        );
        figment::Jail::expect_with(|jail| {
            jail.create_file(DEFAULT_CONFIG_FILE, "colour = \"red\"")?;
            let e = Config::load(None, &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(e.contains("unknown field") && e.contains("colour"), "{e}");
            let missing =
                Config::load(Some(Path::new("nope.toml")), &Overrides::default()).unwrap_err();
            assert_eq!(
                missing.to_string(),
                "the configuration file nope.toml does not exist"
            );
            Ok(())
        });
    }

    #[test]
    fn stop_delay_mail_lease_and_key_rotation_come_from_the_environment_and_a_zero_lease_is_refused()
     {
        figment::Jail::expect_with(|jail| {
            jail.set_env("GATEHOUSE_STOP_DELAY_SECONDS", "7");
            jail.set_env("GATEHOUSE_MAIL_LEASE_SECONDS", "30");
            jail.set_env("GATEHOUSE_SIGNING_KEY_ROTATION_DAYS", "0");
            jail.set_env("GATEHOUSE_PURGE_INTERVAL_SECONDS", "60");
            let config = Config::load(None, &Overrides::default()).expect("loads");
            assert_eq!(
                (
                    config.stop_delay_seconds,
                    config.mail_lease_seconds,
                    config.signing_key_rotation_days
                ),
                (7, 30, 0)
            );
            assert_eq!(Config::default().signing_key_rotation_days, 90);
            assert_eq!(config.purge_interval_seconds, 60);
            assert_eq!(Config::default().purge_interval_seconds, 3600);
            assert!(config.check().is_ok());
            Ok(())
        });
        let zero = Config {
            mail_lease_seconds: 0,
            ..Config::default()
        };
        let e = zero.check().unwrap_err().to_string();
        assert!(e.contains("mail_lease_seconds"), "{e}");
    }

    #[test]
    fn trusted_proxies_come_from_the_environment_and_a_wrong_one_is_named() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("GATEHOUSE_TRUSTED_PROXIES", "[\"10.0.0.0/8\", \"::1\"]");
            let config = Config::load(None, &Overrides::default()).expect("loads");
            assert_eq!(config.trusted_proxies, ["10.0.0.0/8", "::1"]);
            assert!(config.check().is_ok());
            Ok(())
        });
        let wrong = Config {
            trusted_proxies: vec!["10.0.0.0/99".into()],
            ..Config::default()
        };
        let e = wrong.check().unwrap_err().to_string();
        assert!(
            e.contains("trusted_proxies") && e.contains("10.0.0.0/99"),
            "{e}"
        );
    }
}
