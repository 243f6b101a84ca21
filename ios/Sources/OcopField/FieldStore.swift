// The idiomatic Swift face of the generated OcopStore: async functions that run the blocking Rust calls off the
// caller's thread, and an AsyncStream of sync progress. Not compiled on Linux (no Swift toolchain there); see
// bindings/README.md.
import Foundation
import OcopFFI

/// What a sync stream yields: progress while it runs, then exactly one `.finished`, or `.failed`.
public enum SyncEvent {
    /// A progress report.
    case progress(SyncProgress)
    /// The session completed.
    case finished(SyncReport)
    /// The session stopped with an error; what was applied before stays applied.
    case failed(OcopError)
}

/// Runs a blocking call on a background queue.
private func background<T>(_ body: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result { try body() })
        }
    }
}

private final class StreamListener: SyncProgressListener, @unchecked Sendable {
    let continuation: AsyncStream<SyncEvent>.Continuation
    init(_ continuation: AsyncStream<SyncEvent>.Continuation) { self.continuation = continuation }
    func onProgress(progress: SyncProgress) throws { continuation.yield(.progress(progress)) }
}

/// An open OCOP Field store. Errors are thrown as `OcopError`.
public final class FieldStore: @unchecked Sendable {
    private let inner: OcopStore

    private init(_ inner: OcopStore) { self.inner = inner }

    /// Opens (creating or migrating) the store at `path`, stamping `author` into every change.
    public static func open(path: String, author: Author) async throws -> FieldStore {
        let store = OcopStore(path: path, author: author)
        try await background { try store.open() }
        return FieldStore(store)
    }

    /// Exchanges a one-time enrollment code for this device's credentials.
    public static func enroll(hubUrl: String, code: String, deviceName: String) async throws -> Enrollment {
        try await background { try OcopFFI.enroll(hubUrl: hubUrl, code: code, deviceName: deviceName) }
    }

    /// Registers a producer.
    public func registerProducer(_ producer: NewProducer) async throws -> Producer {
        try await background { try self.inner.createProducer(producer: producer) }
    }

    /// Edits a producer field by field.
    public func editProducer(id: String, _ edits: [ProducerEdit]) async throws -> Producer {
        try await background { try self.inner.updateProducer(id: id, edits: edits) }
    }

    /// Registers a product.
    public func registerProduct(_ product: NewProduct) async throws -> Product {
        try await background { try self.inner.createProduct(product: product) }
    }

    /// Starts a draft visit.
    public func startVisit(_ visit: NewVisit) async throws -> Visit {
        try await background { try self.inner.startVisit(visit: visit) }
    }

    /// Records a GPS fix.
    public func addFix(visitId: String, _ fix: GpsFix) async throws -> VisitFix {
        try await background { try self.inner.addFix(visitId: visitId, fix: fix) }
    }

    /// Attaches a photo file.
    public func attachPhoto(visitId: String, url: URL, kind: PhotoKind, caption: String = "") async throws -> PhotoRef {
        try await background {
            try self.inner.attachPhoto(visitId: visitId, path: url.path, kind: kind, caption: caption)
        }
    }

    /// Saves a whole visit in one durable write.
    public func captureVisit(_ capture: VisitCapture) async throws -> Visit {
        try await background { try self.inner.captureVisit(capture: capture) }
    }

    /// Full-text search; diacritics optional.
    public func search(_ query: String, max: UInt32 = 50) async throws -> [SearchHit] {
        try await background { try self.inner.search(query: query, max: max) }
    }

    /// Open conflicts.
    public func conflicts(recordId: String? = nil) async throws -> [Conflict] {
        try await background { try self.inner.conflicts(docId: recordId) }
    }

    /// Resolves a conflict.
    public func resolve(_ conflict: Conflict, _ resolution: Resolution) async throws {
        try await background {
            try self.inner.resolveConflict(docId: conflict.docId, path: conflict.path, resolution: resolution)
        }
    }

    /// Syncs with the hub; the stream yields progress, then `.finished` or `.failed`, then ends.
    public func syncWithHub(url: String, token: String) -> AsyncStream<SyncEvent> {
        AsyncStream { continuation in
            let listener = StreamListener(continuation)
            DispatchQueue.global(qos: .utility).async {
                do {
                    let report = try self.inner.syncWithHub(hubUrl: url, token: token, listener: listener)
                    continuation.yield(.finished(report))
                } catch let error as OcopError {
                    continuation.yield(.failed(error))
                } catch {
                    continuation.yield(.failed(.Internal(reason: "\(error)")))
                }
                continuation.finish()
            }
        }
    }

    /// Closes the database.
    public func close() { inner.closeStore() }

    deinit { inner.closeStore() }
}
