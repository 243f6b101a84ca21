package vn.ocop.field

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.withContext
import vn.ocop.field.ffi.Answer
import vn.ocop.field.ffi.Author
import vn.ocop.field.ffi.Conflict
import vn.ocop.field.ffi.Enrollment
import vn.ocop.field.ffi.GpsFix
import vn.ocop.field.ffi.NewProducer
import vn.ocop.field.ffi.NewProduct
import vn.ocop.field.ffi.NewVisit
import vn.ocop.field.ffi.OcopException
import vn.ocop.field.ffi.OcopStore
import vn.ocop.field.ffi.PhotoKind
import vn.ocop.field.ffi.PhotoRef
import vn.ocop.field.ffi.Producer
import vn.ocop.field.ffi.ProducerEdit
import vn.ocop.field.ffi.ProducerFilter
import vn.ocop.field.ffi.ProducerSummary
import vn.ocop.field.ffi.Product
import vn.ocop.field.ffi.ProductEdit
import vn.ocop.field.ffi.ProductFilter
import vn.ocop.field.ffi.ProductSummary
import vn.ocop.field.ffi.QuestionAnswer
import vn.ocop.field.ffi.Resolution
import vn.ocop.field.ffi.Scope
import vn.ocop.field.ffi.SearchHit
import vn.ocop.field.ffi.SyncProgress
import vn.ocop.field.ffi.SyncProgressListener
import vn.ocop.field.ffi.SyncReport
import vn.ocop.field.ffi.SyncTransport
import vn.ocop.field.ffi.Visit
import vn.ocop.field.ffi.VisitCapture
import vn.ocop.field.ffi.VisitFilter
import vn.ocop.field.ffi.VisitFix
import vn.ocop.field.ffi.VisitSummary
import java.io.File

/** What a sync [Flow] emits: progress reports while it runs, then exactly one [Finished]. */
sealed class SyncEvent {
    /** A progress report (after each applied frame of changes and each photo chunk). */
    data class Progress(val progress: SyncProgress) : SyncEvent()

    /** The session completed; the flow ends after this. */
    data class Finished(val report: SyncReport) : SyncEvent()
}

/**
 * An open OCOP Field store: the idiomatic Kotlin face of the generated `OcopStore`.
 *
 * Every call that touches the disk or the network is a `suspend` function that runs on [Dispatchers.IO], so it
 * can be called from the main thread. Errors arrive as [OcopException] (`Invalid` with the `field` to fix,
 * `NotFound`, `Network`, `Unauthorized`, `Forbidden`, `Storage`, `Internal`, `NotOpen`). Close it (or use `use {}`)
 * when done: [close] closes the database and releases the native handle.
 */
class FieldStore private constructor(private val inner: OcopStore) : AutoCloseable {
    companion object {
        /** Opens (creating or migrating) the store at [path], stamping [author] into every change. */
        suspend fun open(path: String, author: Author): FieldStore = withContext(Dispatchers.IO) {
            val store = OcopStore(path, author)
            try {
                store.open()
            } catch (e: Throwable) {
                store.close()
                throw e
            }
            FieldStore(store)
        }

        /** Exchanges a one-time enrollment [code] for this device's credentials at the hub at [hubUrl]. */
        suspend fun enroll(hubUrl: String, code: String, deviceName: String): Enrollment =
            withContext(Dispatchers.IO) { vn.ocop.field.ffi.enroll(hubUrl, code, deviceName) }
    }

    private suspend fun <T> io(block: () -> T): T = withContext(Dispatchers.IO) { block() }

    /** The person stamped into changes made from now on. */
    var author: Author
        get() = inner.author()
        set(value) = inner.setAuthor(value)

    /** Registers a producer. */
    suspend fun registerProducer(producer: NewProducer): Producer = io { inner.createProducer(producer) }

    /** Edits a producer field by field; returns it as it now is. */
    suspend fun editProducer(id: String, vararg edits: ProducerEdit): Producer =
        io { inner.updateProducer(id, edits.toList()) }

    /** A producer, read whole. */
    suspend fun producer(id: String): Producer = io { inner.producer(id) }

    /** Registers a product of an existing producer. */
    suspend fun registerProduct(product: NewProduct): Product = io { inner.createProduct(product) }

    /** Edits a product field by field; returns it as it now is. */
    suspend fun editProduct(id: String, vararg edits: ProductEdit): Product =
        io { inner.updateProduct(id, edits.toList()) }

    /** A product, read whole. */
    suspend fun product(id: String): Product = io { inner.product(id) }

    /** Starts a draft visit. */
    suspend fun startVisit(visit: NewVisit): Visit = io { inner.startVisit(visit) }

    /** Sets one answer, or clears it with `null`. */
    suspend fun answer(visitId: String, question: String, answer: Answer?) =
        io { inner.setAnswer(visitId, question, answer) }

    /** Sets several answers in one durable write. */
    suspend fun answer(visitId: String, answers: Map<String, Answer>) =
        io { inner.setAnswers(visitId, answers.map { (q, a) -> QuestionAnswer(q, a) }) }

    /** Records a GPS fix; the result carries its quality flags. */
    suspend fun addFix(visitId: String, fix: GpsFix): VisitFix = io { inner.addFix(visitId, fix) }

    /** Attaches a photo file (JPEG, PNG or WebP), re-encoded and stored once by hash. */
    suspend fun attachPhoto(visitId: String, file: File, kind: PhotoKind, caption: String = ""): PhotoRef =
        io { inner.attachPhoto(visitId, file.path, kind, caption) }

    /** Replaces a visit's notes. */
    suspend fun setNotes(visitId: String, notes: String) = io { inner.setNotes(visitId, notes) }

    /** Submits a visit for review. */
    suspend fun submitVisit(visitId: String): Visit = io { inner.submitVisit(visitId) }

    /** Saves a whole visit in one durable write. */
    suspend fun captureVisit(capture: VisitCapture): Visit = io { inner.captureVisit(capture) }

    /** A visit, read whole. */
    suspend fun visit(id: String): Visit = io { inner.visit(id) }

    /** Producers. */
    suspend fun producers(filter: ProducerFilter = ProducerFilter()): List<ProducerSummary> =
        io { inner.listProducers(filter) }

    /** Products. */
    suspend fun products(filter: ProductFilter = ProductFilter()): List<ProductSummary> =
        io { inner.listProducts(filter) }

    /** Visits, newest first. */
    suspend fun visits(filter: VisitFilter = VisitFilter()): List<VisitSummary> = io { inner.listVisits(filter) }

    /** Full-text search; diacritics are optional. */
    suspend fun search(query: String, max: Int = 50): List<SearchHit> = io { inner.search(query, max.toUInt()) }

    /** Open conflicts, of one record or of all. */
    suspend fun conflicts(recordId: String? = null): List<Conflict> = io { inner.conflicts(recordId) }

    /** Resolves [conflict] with [resolution] (keep one of its values, or enter a new one). */
    suspend fun resolve(conflict: Conflict, resolution: Resolution) =
        io { inner.resolveConflict(conflict.docId, conflict.path, resolution) }

    /** A form definition as JSON, for rendering. */
    suspend fun formJson(formId: String, version: Int? = null): String = io { inner.formJson(formId, version?.toUInt()) }

    /** Changes not yet acknowledged by a hub. */
    suspend fun pendingChanges(): Long = io { inner.pendingChanges().toLong() }

    /**
     * Syncs with the hub at [hubUrl] using [token]; a cold [Flow] that runs the session when collected, emits
     * [SyncEvent.Progress] as it goes and [SyncEvent.Finished] at the end, or fails with [OcopException].
     */
    fun syncWithHub(hubUrl: String, token: String): Flow<SyncEvent> =
        syncFlow { listener -> inner.syncWithHub(hubUrl, token, listener) }

    /** Syncs with a peer over an app-supplied [transport] (see [syncWithHub] for the flow). */
    fun syncWith(peerLabel: String, transport: SyncTransport): Flow<SyncEvent> =
        syncFlow { listener -> inner.syncWith(peerLabel, transport, listener) }

    /** Answers one sync request from another device (phone to phone). */
    suspend fun respond(request: ByteArray, peer: Author, scope: Scope): ByteArray =
        io { inner.respond(request, peer, scope) }

    private fun syncFlow(run: (SyncProgressListener) -> SyncReport): Flow<SyncEvent> = channelFlow {
        val listener = object : SyncProgressListener {
            override fun onProgress(progress: SyncProgress) {
                // Never blocks the sync thread: a slow collector loses intermediate reports, not the result.
                trySend(SyncEvent.Progress(progress))
            }
        }
        val report = withContext(Dispatchers.IO) { run(listener) }
        send(SyncEvent.Finished(report))
    }.buffer(Channel.BUFFERED)

    /** Closes the database and releases the native handle. */
    override fun close() {
        try {
            inner.closeStore()
        } finally {
            inner.close()
        }
    }
}

/** Runs a sync flow to its end, calling [onProgress] for each report, and returns the session's report. */
suspend fun Flow<SyncEvent>.awaitReport(onProgress: (SyncProgress) -> Unit = {}): SyncReport {
    var report: SyncReport? = null
    collect { event ->
        when (event) {
            is SyncEvent.Progress -> onProgress(event.progress)
            is SyncEvent.Finished -> report = event.report
        }
    }
    return report ?: throw OcopException.Internal("the sync ended without a report")
}
