//! In-process links: a transport straight into a responder, with a simulated network and injected faults.
//!
//! Used for device-to-device sync inside one process, for tests (cut the connection at any byte, repeat a
//! message, lose a reply) and for benchmarks over a slow link without root or real sockets: each exchange is
//! charged one round-trip time plus its bytes at the link's bandwidth on a virtual clock.

use std::time::Duration;

use super::responder::{Principal, SyncBackend, respond};
use super::{Transport, TransportError};

/// A network profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkProfile {
    /// Bandwidth, bits per second (both directions).
    pub bits_per_second: f64,
    /// Round-trip time.
    pub rtt: Duration,
}

impl LinkProfile {
    /// EDGE: 240 kbit/s, 840 ms.
    pub const EDGE: Self = Self {
        bits_per_second: 240_000.0,
        rtt: Duration::from_millis(840),
    };
    /// Slow 3G: 400 kbit/s, 400 ms.
    pub const SLOW_3G: Self = Self {
        bits_per_second: 400_000.0,
        rtt: Duration::from_millis(400),
    };
    /// 4G: 9 Mbit/s, 170 ms.
    pub const FOUR_G: Self = Self {
        bits_per_second: 9_000_000.0,
        rtt: Duration::from_millis(170),
    };
    /// No delay at all.
    pub const INSTANT: Self = Self {
        bits_per_second: f64::INFINITY,
        rtt: Duration::ZERO,
    };

    /// Time to carry `bytes` one way, without the round trip.
    pub fn transfer(&self, bytes: usize) -> Duration {
        if self.bits_per_second.is_infinite() {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(bytes as f64 * 8.0 / self.bits_per_second)
    }
}

/// A fault to inject into one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request is cut after this many bytes (the responder sees a truncated request; no reply arrives).
    CutRequest(usize),
    /// The reply is cut after this many bytes (the responder did all its work).
    CutReply(usize),
    /// The request is delivered twice (a retry by a proxy); the second reply is returned.
    Duplicate,
    /// The peer cannot be reached.
    Down,
}

/// A transport into an in-process responder.
pub struct Link<'a> {
    backend: &'a dyn SyncBackend,
    principal: Principal,
    profile: LinkProfile,
    /// Faults for upcoming exchanges: `(exchange number, fault)`, numbered from 0.
    faults: Vec<(u32, Fault)>,
    exchanges: u32,
    /// Simulated network time spent so far.
    pub network_time: Duration,
    /// Bytes carried towards the responder.
    pub bytes_up: u64,
    /// Bytes carried back.
    pub bytes_down: u64,
}

impl<'a> Link<'a> {
    /// A link to `backend`, authenticated as `principal`, over `profile`.
    pub fn new(backend: &'a dyn SyncBackend, principal: Principal, profile: LinkProfile) -> Self {
        Self {
            backend,
            principal,
            profile,
            faults: Vec::new(),
            exchanges: 0,
            network_time: Duration::ZERO,
            bytes_up: 0,
            bytes_down: 0,
        }
    }

    /// Injects `fault` into exchange number `n` (counted from 0 over the link's life).
    pub fn fail_at(mut self, n: u32, fault: Fault) -> Self {
        self.faults.push((n, fault));
        self
    }

    /// Exchanges made so far.
    pub fn exchanges(&self) -> u32 {
        self.exchanges
    }
}

impl Transport for Link<'_> {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let n = self.exchanges;
        self.exchanges += 1;
        let fault = self.faults.iter().find(|(at, _)| *at == n).map(|(_, f)| *f);
        self.network_time += self.profile.rtt;
        match fault {
            Some(Fault::Down) => Err(TransportError::Unreachable("simulated link down".into())),
            Some(Fault::CutRequest(k)) => {
                let k = k.min(request.len());
                self.bytes_up += k as u64;
                self.network_time += self.profile.transfer(k);
                let _ = respond(self.backend, &self.principal, &request[..k]);
                Err(TransportError::Interrupted {
                    received: Vec::new(),
                })
            }
            other => {
                self.bytes_up += request.len() as u64;
                self.network_time += self.profile.transfer(request.len());
                let mut reply = respond(self.backend, &self.principal, &request);
                if other == Some(Fault::Duplicate) {
                    reply = respond(self.backend, &self.principal, &request);
                }
                let status = reply.status;
                let mut bytes = reply.bytes;
                if let Some(Fault::CutReply(k)) = other {
                    bytes.truncate(k);
                    self.bytes_down += bytes.len() as u64;
                    self.network_time += self.profile.transfer(bytes.len());
                    return Err(TransportError::Interrupted { received: bytes });
                }
                self.bytes_down += bytes.len() as u64;
                self.network_time += self.profile.transfer(bytes.len());
                match status {
                    200 => Ok(bytes),
                    401 => Err(TransportError::Unauthorized("not authorized".into())),
                    403 => Err(TransportError::Forbidden(error_message(&bytes))),
                    _ => Ok(bytes),
                }
            }
        }
    }
}

fn error_message(bytes: &[u8]) -> String {
    match super::message::decode(bytes).map(|d| d.head) {
        Ok(super::message::Head::Error { message, .. }) => message,
        _ => "forbidden".into(),
    }
}

/// Any transport, charged on a virtual clock as if it ran over `profile`: one round trip plus the bytes of the
/// request and the reply at the link's bandwidth per exchange. Used to run the demo and benchmarks over a real
/// HTTP hub on loopback while reporting what a slow rural link would cost, without sleeping.
pub struct Throttled<T> {
    inner: T,
    profile: LinkProfile,
    /// Simulated network time spent so far.
    pub network_time: Duration,
    /// Exchanges made.
    pub exchanges: u32,
}

impl<T: Transport> Throttled<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, profile: LinkProfile) -> Self {
        Self {
            inner,
            profile,
            network_time: Duration::ZERO,
            exchanges: 0,
        }
    }
}

impl<T: Transport> Transport for Throttled<T> {
    fn exchange(&mut self, request: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.exchanges += 1;
        let up = request.len();
        let result = self.inner.exchange(request);
        let down = match &result {
            Ok(reply) => reply.len(),
            Err(TransportError::Interrupted { received }) => received.len(),
            Err(_) => 0,
        };
        self.network_time +=
            self.profile.rtt + self.profile.transfer(up) + self.profile.transfer(down);
        result
    }
}
