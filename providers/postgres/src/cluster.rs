//! A throwaway PostgreSQL cluster: `initdb` + `pg_ctl` on a free loopback port, in a folder
//! of its own, stopped when dropped. Used by tests and by a local server backed by a real
//! cluster. PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres`
//! user (or `nobody`) through `runuser`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server programs (initdb, pg_ctl) were not found on PATH, in INFRA_PG_BIN or \
         under /usr/lib/postgresql; install them (Debian: `apt-get install postgresql`)"
    )]
    NotInstalled,
    #[error("{0}")]
    Failed(String),
}

/// Where the server programs are: `INFRA_PG_BIN`, then `PATH`, then the newest Debian version.
pub fn find_bin() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("INFRA_PG_BIN") {
        let dir = PathBuf::from(dir);
        if dir.join("pg_ctl").is_file() {
            return Some(dir);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// What the cluster is started with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Serve TLS with a self-signed certificate for `localhost` and 127.0.0.1 (needs `openssl`).
    pub tls: bool,
    /// `shared_preload_libraries` at start.
    pub preload: Vec<String>,
    /// The superuser's login and password; default a generated pair.
    pub admin: Option<(String, String)>,
    /// The TCP port; default a free one.
    pub port: Option<u16>,
}

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: Option<String>,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// The PEM certificate the server presents, when started with TLS.
    pub certificate: Option<String>,
    running: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, ClusterError> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| ClusterError::Failed(e.to_string()))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| ClusterError::Failed(e.to_string()))
}

fn check(what: &str, out: std::io::Result<Output>) -> Result<Output, ClusterError> {
    let out = out.map_err(|e| ClusterError::Failed(format!("{what}: {e}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(ClusterError::Failed(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// Whether `openssl` can be run, for a certificate.
pub fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Cluster {
    /// Creates and starts a cluster in `dir` (which must exist and be empty or new).
    pub fn start(dir: &Path, options: &Options) -> Result<Cluster, ClusterError> {
        let bin = find_bin().ok_or(ClusterError::NotInstalled)?;
        let run_as = if is_root() {
            let user = ["postgres", "nobody"]
                .into_iter()
                .find(|u| {
                    Command::new("id")
                        .arg(u)
                        .output()
                        .is_ok_and(|o| o.status.success())
                })
                .ok_or_else(|| {
                    ClusterError::Failed(
                        "running as root and no `postgres` or `nobody` user to run the cluster as"
                            .into(),
                    )
                })?;
            Some(user.to_string())
        } else {
            None
        };
        std::fs::create_dir_all(dir).map_err(|e| ClusterError::Failed(e.to_string()))?;
        // The server resolves relative paths from its data folder.
        let dir = &std::path::absolute(dir).map_err(|e| ClusterError::Failed(e.to_string()))?;
        let (user, password) = match &options.admin {
            Some(pair) => pair.clone(),
            None => (
                "infra_admin".to_string(),
                format!("pw-{}-{}", std::process::id(), free_port()?),
            ),
        };
        let port = match options.port {
            Some(p) => p,
            None => free_port()?,
        };
        let mut cluster = Cluster {
            dir: dir.to_path_buf(),
            bin,
            run_as,
            port,
            user,
            password,
            certificate: None,
            running: false,
        };
        if !cluster.data().join("PG_VERSION").is_file() {
            cluster.init(options)?;
        }
        cluster.start_server()?;
        Ok(cluster)
    }

    /// Whether `dir` already holds a cluster's data (then [`Cluster::start`] starts it as it
    /// is, on `options.port`).
    pub fn exists(dir: &Path) -> bool {
        dir.join("data").join("PG_VERSION").is_file()
    }

    /// Runs one of the installation's client programs (`createdb`, `dropdb`, `psql`) as the
    /// superuser over the cluster's private Unix socket.
    pub fn client(&self, program: &str, args: &[&str]) -> Result<String, ClusterError> {
        let out = self
            .command(&self.program(program).to_string_lossy())
            .arg("-h")
            .arg(self.socket_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-U")
            .arg(&self.user)
            .args(args)
            .env("PGPASSWORD", &self.password)
            .output();
        check(program, out).map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// Sets the superuser's password (sent as a SCRAM verifier, never in clear on a command
    /// line), as a managed server does when its administrator password changes.
    pub fn set_admin_password(&mut self, password: &str) -> Result<(), ClusterError> {
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        let sql = format!(
            "ALTER ROLE {} PASSWORD {}",
            crate::quote::ident(&self.user),
            crate::quote::literal(&verifier)
        );
        self.client(
            "psql",
            &[
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                "postgres",
                "-c",
                &sql,
            ],
        )?;
        self.password = password.to_string();
        Ok(())
    }

    /// Whether the installation has this shared library (`$libdir/NAME.so`), so that
    /// preloading it cannot stop the server from starting.
    pub fn has_library(&self, name: &str) -> bool {
        let pkglib = Command::new(self.program("pg_config"))
            .arg("--pkglibdir")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .or_else(|| {
                Command::new("pg_config")
                    .arg("--pkglibdir")
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            })
            .unwrap_or_else(|| self.bin.join("../lib"));
        !name.is_empty() && !name.contains('/') && pkglib.join(format!("{name}.so")).is_file()
    }

    /// Where the Unix socket goes: the cluster's folder, or a short folder of the temporary
    /// directory (by port) when that path would pass the socket path limit (~107 bytes).
    fn socket_dir(&self) -> PathBuf {
        if self.dir.as_os_str().len() <= 80 {
            self.dir.clone()
        } else {
            std::env::temp_dir().join(format!("infra-pg-{}", self.port))
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A program of the installation: beside `pg_ctl`, beside the file a linked `pg_ctl`
    /// points to (PATH often holds links to the server programs only), else by name.
    fn program(&self, name: &str) -> PathBuf {
        let beside = self.bin.join(name);
        if beside.is_file() {
            return beside;
        }
        if let Ok(real) = std::fs::canonicalize(self.bin.join("pg_ctl"))
            && let Some(dir) = real.parent()
            && dir.join(name).is_file()
        {
            return dir.join(name);
        }
        PathBuf::from(name)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn chown(&self) -> Result<(), ClusterError> {
        if let Some(user) = &self.run_as {
            let out = Command::new("chown")
                .arg("-R")
                .arg(user)
                .arg(&self.dir)
                .output();
            check("chown", out)?;
        }
        Ok(())
    }

    fn init(&mut self, options: &Options) -> Result<(), ClusterError> {
        let pwfile = self.dir.join("pwfile");
        std::fs::write(&pwfile, &self.password).map_err(|e| ClusterError::Failed(e.to_string()))?;
        self.chown()?;
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(self.data())
            .args([
                "-U",
                &self.user,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output();
        check("initdb", out)?;
        let _ = std::fs::remove_file(&pwfile);
        // The private socket folder is the cluster's own: its superuser logs in there with
        // the password too (scram everywhere), so nothing is trusted.
        let mut conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             fsync = off\nmax_connections = 50\n",
            self.port,
            self.socket_dir().display()
        );
        if !options.preload.is_empty() {
            conf.push_str(&format!(
                "shared_preload_libraries = '{}'\n",
                options.preload.join(",")
            ));
        }
        if options.tls {
            let crt = self.data().join("server.crt");
            let key = self.data().join("server.key");
            self.certificate = Some(self.make_certificates(&crt, &key)?);
            conf.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
            self.chown()?;
            let out = Command::new("chmod").arg("600").arg(&key).output();
            check("chmod", out)?;
        }
        let conf_path = self.data().join("postgresql.conf");
        let mut text =
            std::fs::read_to_string(&conf_path).map_err(|e| ClusterError::Failed(e.to_string()))?;
        text.push_str(&conf);
        std::fs::write(&conf_path, text).map_err(|e| ClusterError::Failed(e.to_string()))?;
        Ok(())
    }

    /// A test CA and a server certificate it signs for `localhost` and 127.0.0.1 (verifiers
    /// refuse a CA certificate used as the server's own); returns the CA's PEM.
    fn make_certificates(&self, crt: &Path, key: &Path) -> Result<String, ClusterError> {
        let ca_crt = self.dir.join("ca.crt");
        let ca_key = self.dir.join("ca.key");
        let csr = self.dir.join("server.csr");
        let ext = self.dir.join("san.ext");
        std::fs::write(&ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
            .map_err(|e| ClusterError::Failed(e.to_string()))?;
        let openssl = |args: &[&std::ffi::OsStr], what: &str| {
            check(what, Command::new("openssl").args(args).output()).map(|_| ())
        };
        let os = |s: &str| std::ffi::OsString::from(s);
        openssl(
            &[
                &os("req"),
                &os("-x509"),
                &os("-newkey"),
                &os("rsa:2048"),
                &os("-nodes"),
                &os("-days"),
                &os("2"),
                &os("-subj"),
                &os("/CN=infra test CA"),
                &os("-keyout"),
                ca_key.as_os_str(),
                &os("-out"),
                ca_crt.as_os_str(),
            ],
            "openssl req (CA)",
        )?;
        openssl(
            &[
                &os("req"),
                &os("-newkey"),
                &os("rsa:2048"),
                &os("-nodes"),
                &os("-subj"),
                &os("/CN=localhost"),
                &os("-keyout"),
                key.as_os_str(),
                &os("-out"),
                csr.as_os_str(),
            ],
            "openssl req (server)",
        )?;
        openssl(
            &[
                &os("x509"),
                &os("-req"),
                &os("-in"),
                csr.as_os_str(),
                &os("-CA"),
                ca_crt.as_os_str(),
                &os("-CAkey"),
                ca_key.as_os_str(),
                &os("-CAcreateserial"),
                &os("-days"),
                &os("2"),
                &os("-extfile"),
                ext.as_os_str(),
                &os("-out"),
                crt.as_os_str(),
            ],
            "openssl x509 (sign)",
        )?;
        std::fs::read_to_string(&ca_crt).map_err(|e| ClusterError::Failed(e.to_string()))
    }

    fn start_server(&mut self) -> Result<(), ClusterError> {
        let socket = self.socket_dir();
        if socket != self.dir {
            std::fs::create_dir_all(&socket).map_err(|e| ClusterError::Failed(e.to_string()))?;
            if let Some(user) = &self.run_as {
                check(
                    "chown",
                    Command::new("chown").arg(user).arg(&socket).output(),
                )?;
            }
        }
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-w", "-t", "60", "start"])
            .output();
        check("pg_ctl start", out)?;
        self.running = true;
        Ok(())
    }

    /// Sets `shared_preload_libraries` and restarts the server (as a managed server does), or
    /// starts it if it was stopped.
    pub fn restart_with_preload(&mut self, preload: &[String]) -> Result<(), ClusterError> {
        let auto = self.data().join("postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&auto).unwrap_or_default();
        text.push_str(&format!(
            "shared_preload_libraries = '{}'\n",
            preload.join(",")
        ));
        std::fs::write(&auto, text).map_err(|e| ClusterError::Failed(e.to_string()))?;
        self.chown()?;
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-w", "-t", "60", "-m", "fast", "restart"])
            .output();
        // pg_ctl restart also starts a stopped server.
        check("pg_ctl restart", out)?;
        self.running = true;
        Ok(())
    }

    pub fn stop(&mut self) {
        if self.running {
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-w", "-m", "fast", "stop"])
                .output();
            self.running = false;
        }
    }

    /// The server log, for test failures.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}
