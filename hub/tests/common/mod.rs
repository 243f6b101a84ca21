//! Helpers shared by the hub's integration tests: a hub on an ephemeral loopback port, enrolled devices with real
//! stores syncing over real HTTP, and a TCP proxy that cuts replies.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use ocop_core::identity::{Author, Role};
use ocop_core::records::{Gender, OwnerKind, Person};
use ocop_core::store::{NewProducer, Store, StoreOptions};
use ocop_core::sync::http::{Enrollment, HttpTransport, enroll};
use ocop_core::sync::{self, Scope, SyncOptions, SyncReport};
use ocop_hub::{Account, Hub, HubOptions, ServerHandle};

/// Xã Tân Cương, Thái Nguyên (province 19).
pub const TAN_CUONG: &str = "05503";
/// Phường Tích Lương, Thái Nguyên (province 19).
pub const TICH_LUONG: &str = "05500";
/// Thái Nguyên.
pub const THAI_NGUYEN: &str = "19";
/// Xã Bát Tràng, Hà Nội (province 01).
pub const BAT_TRANG: &str = "00577";

/// The storage a test hub runs on. Every hub test runs once on each (see [`on_both_backends!`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite in a temporary data folder.
    Sqlite,
    /// PostgreSQL, in a schema of its own on the server named by `OCOP_TEST_POSTGRES_URL`.
    Postgres,
}

#[allow(unused_macros)]
/// Runs each named test function `fn name(backend: Backend)` twice: `sqlite::name` and `postgres::name`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(crate::common::Backend::Postgres) } )*
        }
    };
}

/// One `ocop-hub serve` process on an ephemeral loopback port (killed when dropped).
pub struct HubProcess {
    child: Child,
    /// Where it listens (`http://127.0.0.1:…`).
    pub url: String,
}

impl HubProcess {
    /// Starts `ocop-hub serve` with `location` (`--data DIR` or `--database URL`) and waits for it to say where
    /// it listens.
    pub fn start(location: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ocop-hub"))
            .args(["serve", "--addr", "127.0.0.1:0", "--log", "warn"])
            .args(location)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("the hub process did not say where it listens: {line:?}"))
            .to_string();
        Self { child, url }
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server the PostgreSQL tests use. Missing is a failure, not a skip.
pub fn postgres_url() -> String {
    match std::env::var("OCOP_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "OCOP_TEST_POSTGRES_URL is not set, and the hub's PostgreSQL tests need a server. Run the tests with \
             scripts/test.sh (its bootstrap checks the server and writes the variable into .cache/test-env.sh), or \
             `export OCOP_TEST_POSTGRES_URL=postgres://root@127.0.0.1:5432/test` for a server with trust \
             authentication."
        ),
    }
}

/// `url` with `search_path` set to `schema` (the hub creates its tables there).
pub fn url_in_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// A fresh PostgreSQL schema for one test, dropped (with everything in it) when this is dropped.
pub struct PgSchema {
    base: String,
    /// The schema's name.
    pub name: String,
    /// A connection URL whose `search_path` is the schema.
    pub url: String,
}

impl PgSchema {
    pub fn create() -> Self {
        let base = postgres_url();
        let name = format!("ocop_t_{}", uuid::Uuid::now_v7().simple());
        let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap_or_else(|e| {
            panic!("cannot connect to the test PostgreSQL at OCOP_TEST_POSTGRES_URL ({base}): {e}")
        });
        client
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap();
        let url = url_in_schema(&base, &name);
        Self { base, name, url }
    }

    /// A client on the schema.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        match postgres::Client::connect(&self.base, postgres::NoTls) {
            Ok(mut c) => {
                if let Err(e) =
                    c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
                {
                    eprintln!("could not drop test schema {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("could not drop test schema {}: {e}", self.name),
        }
    }
}

/// Opens a hub on `backend`: in `dir` for SQLite, in a fresh schema for PostgreSQL (returned, to keep alive).
pub fn open_hub(
    backend: Backend,
    dir: &std::path::Path,
    options: HubOptions,
) -> (Hub, Option<PgSchema>) {
    match backend {
        Backend::Sqlite => (Hub::open(dir, options).unwrap(), None),
        Backend::Postgres => {
            let schema = PgSchema::create();
            let hub =
                Hub::open_postgres(&schema.url, None, ocop_hub::PgOptions::default(), options)
                    .unwrap();
            (hub, Some(schema))
        }
    }
}

pub struct TestHub {
    // Dropped in this order: the service, the hub, the folder, then the schema.
    pub server: ServerHandle,
    pub hub: Hub,
    pub dir: tempfile::TempDir,
    pub backend: Backend,
    pub pg: Option<PgSchema>,
}

impl TestHub {
    pub fn start(backend: Backend) -> Self {
        Self::start_with(backend, HubOptions::default())
    }

    pub fn start_with(backend: Backend, options: HubOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (hub, pg) = open_hub(backend, &dir.path().join("hub"), options);
        let server = hub.serve("127.0.0.1:0".parse().unwrap()).unwrap();
        Self {
            server,
            hub,
            dir,
            backend,
            pg,
        }
    }

    /// Everything the hub has written, as bytes: the SQLite database and its write-ahead log, or every row of
    /// every table of the PostgreSQL schema as text (bytea shown in hex).
    pub fn stored_bytes(&self) -> Vec<u8> {
        match &self.pg {
            None => {
                let db = self.dir.path().join("hub").join("hub.db");
                let mut bytes = std::fs::read(&db).unwrap();
                if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
                    bytes.extend(wal);
                }
                bytes
            }
            Some(schema) => {
                let mut c = schema.client();
                let tables: Vec<String> = c
                    .query(
                        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
                        &[&schema.name],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                assert!(tables.len() > 5, "the hub's tables are in the schema");
                let mut out = Vec::new();
                for t in tables {
                    for r in c.query(&format!("SELECT t::text FROM {t} t"), &[]).unwrap() {
                        out.extend(r.get::<_, String>(0).into_bytes());
                        out.push(b'\n');
                    }
                }
                out
            }
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Issues a code for a user and redeems it over HTTP.
    pub fn enroll(&self, user: &str, role: Role, scope: Scope) -> Enrollment {
        let issued = self
            .hub
            .enroll(Account {
                user_id: user.into(),
                display_name: format!("Người dùng {user}"),
                role,
                scope,
            })
            .unwrap();
        enroll(&self.url(), &issued.code, &format!("phone of {user}")).unwrap()
    }

    /// An enrolled device with its own store, syncing with this hub over HTTP at `url` (the hub, or a proxy).
    pub fn device(&self, user: &str, role: Role, scope: Scope) -> Device {
        let enrollment = self.enroll(user, role, scope);
        Device::open(&self.dir, enrollment, &self.url())
    }
}

pub fn communes(c: &[&str]) -> Scope {
    Scope {
        provinces: vec![],
        communes: c.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn province(p: &str) -> Scope {
    Scope {
        provinces: vec![p.into()],
        communes: vec![],
    }
}

pub struct Device {
    pub store: Store,
    pub author: Author,
    pub enrollment: Enrollment,
    pub transport: HttpTransport,
    pub options: SyncOptions,
}

impl Device {
    pub fn open(dir: &tempfile::TempDir, enrollment: Enrollment, url: &str) -> Self {
        let path = dir.path().join(format!("{}.db", enrollment.device_id));
        let store = Store::open(path, StoreOptions::default()).unwrap();
        let author = Author::new(
            enrollment.user_id.clone(),
            enrollment.display_name.clone(),
            enrollment.role,
        );
        let transport = HttpTransport::new(url, enrollment.token.clone(), Duration::from_secs(20));
        Self {
            store,
            author,
            enrollment,
            transport,
            options: SyncOptions::default(),
        }
    }

    /// Talks to `url` from now on (e.g. through a proxy).
    pub fn via(&mut self, url: &str) {
        self.transport =
            HttpTransport::new(url, self.enrollment.token.clone(), Duration::from_secs(20));
    }

    pub fn sync(&mut self) -> ocop_core::Result<SyncReport> {
        sync::sync(&self.store, "hub", &mut self.transport, &self.options, &())
    }
}

pub fn producer_in(commune: &str, name: &str) -> NewProducer {
    NewProducer {
        owner_kind: OwnerKind::Cooperative,
        name: name.into(),
        registration_no: None,
        representative: Person {
            name: "Lê Thị Hoa".into(),
            gender: Gender::Female,
            position: None,
        },
        phone: Some("0912345678".into()),
        commune_code: commune.into(),
        hamlet: "Xóm 1".into(),
        street: String::new(),
        location: None,
        members: Some(10),
        women_members: Some(6),
        women_owned: Some(true),
        women_led: None,
    }
}

/// A TCP proxy in front of the hub that can cut the next reply after a number of bytes.
pub struct CuttingProxy {
    pub port: u16,
    cut_after: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

const NO_CUT: usize = usize::MAX;

impl CuttingProxy {
    pub fn start(upstream: std::net::SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut_after = Arc::new(AtomicUsize::new(NO_CUT));
        let stop = Arc::new(AtomicBool::new(false));
        let (cut, halt) = (cut_after.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let cut = cut.clone();
                std::thread::spawn(move || relay(client, server, cut));
            }
        });
        Self {
            port,
            cut_after,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The next reply (on any connection) is cut after `bytes` bytes of HTTP response.
    pub fn cut_next_reply_after(&self, bytes: usize) {
        self.cut_after.store(bytes, Ordering::SeqCst);
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn relay(client: TcpStream, server: TcpStream, cut: Arc<AtomicUsize>) {
    let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = c_read.read(&mut buf) {
            if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = s_write.shutdown(Shutdown::Write);
    });
    let (mut s_read, mut c_write) = (server, client);
    let mut buf = [0u8; 16 * 1024];
    let mut budget: Option<usize> = None;
    while let Ok(n) = s_read.read(&mut buf) {
        if n == 0 {
            break;
        }
        if budget.is_none() {
            let armed = cut.swap(NO_CUT, Ordering::SeqCst);
            if armed != NO_CUT {
                budget = Some(armed);
            }
        }
        match budget.as_mut() {
            Some(left) if *left <= n => {
                let _ = c_write.write_all(&buf[..*left]);
                let _ = c_write.flush();
                let _ = c_write.shutdown(Shutdown::Both);
                let _ = s_read.shutdown(Shutdown::Both);
                return;
            }
            Some(left) => {
                *left -= n;
                if c_write.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            None => {
                if c_write.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = c_write.shutdown(Shutdown::Both);
}

/// A visit with one photo on `d`; returns the photo's hash and length.
pub fn visit_with_photo(d: &Device, commune: &str, seed: u64) -> (String, u64) {
    let p = d
        .store
        .create_producer(&d.author, producer_in(commune, "HTX Chè Tân Cương"))
        .unwrap();
    let v = d
        .store
        .start_visit(
            &d.author,
            ocop_core::store::NewVisit {
                producer: Some(p.id),
                product: None,
                form_id: "ocop_producer_product_survey".into(),
                form_version: Some(1),
                commune_code: None,
            },
        )
        .unwrap();
    let jpg = d.store.path().with_extension(format!("{seed}.jpg"));
    ocop_core::photo::testing::generate_jpeg(&jpg, 640, 480, seed, None).unwrap();
    let photo = d
        .store
        .attach_photo(
            &d.author,
            v.id,
            &jpg,
            ocop_core::records::PhotoKind::Product,
            "Chè đóng gói",
        )
        .unwrap();
    (photo.hash, photo.bytes)
}

/// Passes exchanges through, but loses the reply of exchange number `lose` (the request did reach the hub).
pub struct LosesAReply<'a> {
    pub inner: &'a mut dyn ocop_core::sync::Transport,
    pub count: usize,
    pub lose: usize,
}

impl ocop_core::sync::Transport for LosesAReply<'_> {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, ocop_core::sync::TransportError> {
        self.count += 1;
        let reply = self.inner.exchange(request)?;
        if self.count == self.lose {
            return Err(ocop_core::sync::TransportError::Interrupted {
                received: Vec::new(),
            });
        }
        Ok(reply)
    }
}
