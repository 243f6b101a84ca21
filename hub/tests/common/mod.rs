//! Helpers shared by the hub's integration tests: a hub on an ephemeral loopback port, enrolled devices with real
//! stores syncing over real HTTP, and a TCP proxy that cuts replies.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
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

pub struct TestHub {
    pub dir: tempfile::TempDir,
    pub hub: Hub,
    pub server: ServerHandle,
}

impl TestHub {
    pub fn start() -> Self {
        Self::start_with(HubOptions::default())
    }

    pub fn start_with(options: HubOptions) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::open(dir.path().join("hub"), options).unwrap();
        let server = hub.serve("127.0.0.1:0".parse().unwrap()).unwrap();
        Self { dir, hub, server }
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
