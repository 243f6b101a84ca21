// An officer's day through the Kotlin wrapper (android/src/main/kotlin), run on the desktop JVM against the host
// library by bindings/tests/kotlin.rs, with a hub started for the test. Every check throws on failure.
package vn.ocop.field.test

import kotlinx.coroutines.runBlocking
import vn.ocop.field.FieldStore
import vn.ocop.field.SyncEvent
import vn.ocop.field.awaitReport
import vn.ocop.field.ffi.Answer
import vn.ocop.field.ffi.Author
import vn.ocop.field.ffi.Enrollment
import vn.ocop.field.ffi.Gender
import vn.ocop.field.ffi.GpsFix
import vn.ocop.field.ffi.GpsProvider
import vn.ocop.field.ffi.NewProducer
import vn.ocop.field.ffi.NewProduct
import vn.ocop.field.ffi.NewVisit
import vn.ocop.field.ffi.OcopException
import vn.ocop.field.ffi.OwnerKind
import vn.ocop.field.ffi.Person
import vn.ocop.field.ffi.PhotoKind
import vn.ocop.field.ffi.ProducerEdit
import vn.ocop.field.ffi.RecordKind
import vn.ocop.field.ffi.Resolution
import vn.ocop.field.ffi.SyncTransport
import vn.ocop.field.ffi.VisitCapture
import java.awt.image.BufferedImage
import java.io.File
import javax.imageio.ImageIO

fun check(condition: Boolean, what: () -> String) {
    if (!condition) throw AssertionError(what())
}

fun env(name: String): String = System.getenv(name) ?: throw AssertionError("$name is not set")

const val TAN_CUONG = "05503"
const val FORM = "ocop_producer_product_survey"

fun authorOf(e: Enrollment) = Author(e.userId, e.displayName, e.role)

fun fixNearTanCuong(lat: Double = 21.5865, lon: Double = 105.7731) =
    GpsFix(lat = lat, lon = lon, accuracyM = 6.0, time = System.currentTimeMillis(), provider = GpsProvider.GNSS)

/** A real JPEG, made here with ImageIO: a tea-green gradient. */
fun makeJpeg(file: File) {
    val img = BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB)
    for (y in 0 until 480) for (x in 0 until 640) img.setRGB(x, y, ((x / 3) shl 16) or ((120 + y / 4) shl 8) or 60)
    check(ImageIO.write(img, "jpg", file)) { "no JPEG writer" }
}

fun main() = runBlocking {
    val hub = env("OCOP_HUB_URL")
    val dir = File(env("OCOP_WORK_DIR"))

    // Enrollment: the officer and the union staffer each exchange a one-time code for a token.
    val officerEnrollment = FieldStore.enroll(hub, env("OCOP_CODE_OFFICER"), "Samsung A15 của An")
    val unionEnrollment = FieldStore.enroll(hub, env("OCOP_CODE_UNION"), "Oppo A58 của Hoa")
    try {
        FieldStore.enroll(hub, env("OCOP_CODE_OFFICER"), "again")
        throw AssertionError("a used enrollment code was accepted")
    } catch (e: OcopException.Unauthorized) {
        check(e.reason.isNotBlank()) { "no reason for a refused code" }
    }

    val officer = FieldStore.open(File(dir, "officer.db").path, authorOf(officerEnrollment))
    val union = FieldStore.open(File(dir, "union.db").path, authorOf(unionEnrollment))

    // Register a producer and a product.
    val producer = officer.registerProducer(
        NewProducer(
            ownerKind = OwnerKind.COOPERATIVE,
            name = "HTX Chè Tân Cương Xanh",
            representative = Person(name = "Nguyễn Thị Hoa", gender = Gender.FEMALE),
            communeCode = TAN_CUONG,
            hamlet = "Xóm Nam Đồng",
            phone = "0912 345 678",
            members = 24u,
            womenMembers = 15u,
        ),
    )
    check(producer.phone == "0912345678") { "phone not normalized: ${producer.phone}" }
    check(producer.womenLed == true) { "a female representative means women-led" }
    val product = officer.registerProduct(
        NewProduct(producerId = producer.id, name = "Chè xanh Tân Cương", group = "food", description = "Chè búp sao tay",
            certifications = mapOf("VietGAP" to vn.ocop.field.ffi.Certification("VG-19-0042", "2027-06-30")),
            ecommerce = emptyMap()),
    )
    check(product.commune.code == TAN_CUONG) { "product commune ${product.commune}" }

    // Fill a visit: answers, a GPS fix and a photo file.
    val visit = officer.startVisit(NewVisit(formId = FORM, producerId = producer.id, productId = product.id))
    officer.answer(visit.id, mapOf(
        "respondent_name" to Answer.Text("Nguyễn Thị Hoa"),
        "main_product_name" to Answer.Text("Chè xanh Tân Cương"),
    ))
    val fix = officer.addFix(visit.id, fixNearTanCuong())
    check(fix.flags.isEmpty()) { "a good fix was flagged: ${fix.flags}" }
    val photo = File(dir, "che.jpg").also { makeJpeg(it) }
    val ref = officer.attachPhoto(visit.id, photo, PhotoKind.PRODUCT, "Búp chè")
    check(ref.hash.length == 64 && ref.width == 640u) { "photo ref $ref" }
    val filled = officer.visit(visit.id)
    check(filled.answers.size == 2 && filled.fixes.size == 1 && filled.photos.size == 1) { "visit $filled" }

    // A whole visit in one write, through captureVisit.
    val captured = officer.captureVisit(
        VisitCapture(
            visit = NewVisit(formId = FORM, producerId = producer.id),
            answers = listOf(vn.ocop.field.ffi.QuestionAnswer("workers_total", Answer.Integer(24))),
            fixes = listOf(fixNearTanCuong()),
            notes = "Ghé lần hai",
        ),
    )
    check(captured.notes == "Ghé lần hai" && captured.fixes.size == 1) { "captured $captured" }

    // Search, diacritics optional.
    val hits = officer.search("che tan cuong xanh")
    check(hits.any { it.id == producer.id && it.kind == RecordKind.PRODUCER }) { "search: $hits" }

    // Sync with the hub: a Flow of progress, then the report.
    val events = mutableListOf<SyncEvent>()
    officer.syncWithHub(hub, officerEnrollment.token).collect { events.add(it) }
    val first = (events.last() as SyncEvent.Finished).report
    check(events.any { it is SyncEvent.Progress }) { "no progress reported: $events" }
    check(first.changesSent > 0uL && first.photosSent == 1uL) { "first sync: $first" }
    val unionFirst = union.syncWithHub(hub, unionEnrollment.token).awaitReport()
    check(unionFirst.changesReceived > 0uL) { "union received nothing: $unionFirst" }
    check(union.producer(producer.id).name == "HTX Chè Tân Cương Xanh") { "producer did not arrive" }

    // The same field edited offline on both phones: a conflict, shown with both values and authors.
    officer.editProducer(producer.id, ProducerEdit.Phone("0987 654 321"))
    union.editProducer(producer.id, ProducerEdit.Phone("0911 222 333"), ProducerEdit.Members(30u))
    officer.syncWithHub(hub, officerEnrollment.token).awaitReport()
    union.syncWithHub(hub, unionEnrollment.token).awaitReport()
    val third = officer.syncWithHub(hub, officerEnrollment.token).awaitReport()
    check(third.conflictsSurfaced.contains(producer.id)) { "conflict not surfaced: $third" }
    val conflicts = officer.conflicts(producer.id)
    val phone = conflicts.single { it.path == "phone" }
    check(phone.values.size == 2) { "values ${phone.values}" }
    val unionValue = phone.values.single { it.author?.userId == unionEnrollment.userId }
    check(unionValue.valueJson.contains("0911222333")) { "union's value ${unionValue.valueJson}" }
    check(officer.producer(producer.id).members == 30u) { "different fields must merge" }
    officer.resolve(phone, Resolution.Keep(unionValue.op))
    check(officer.conflicts(producer.id).isEmpty()) { "conflict still open" }
    check(officer.producer(producer.id).phone == "0911222333") { "resolution not applied" }
    officer.syncWithHub(hub, officerEnrollment.token).awaitReport()
    union.syncWithHub(hub, unionEnrollment.token).awaitReport()
    check(union.conflicts(producer.id).isEmpty()) { "the resolution did not reach the other phone" }
    check(union.producer(producer.id).phone == "0911222333") { "union phone" }

    // The error contract.
    try {
        officer.addFix(visit.id, fixNearTanCuong(lat = Double.NaN))
        throw AssertionError("a NaN latitude was accepted")
    } catch (e: OcopException.Invalid) {
        check(e.field == "gps") { "field ${e.field}" }
        check(e.message.contains("field=gps") && e.message.contains("not a finite number")) { "message: ${e.message}" }
    }
    val corrupt = File(dir, "corrupt.jpg").also { it.writeBytes(photo.readBytes().copyOf(300)) }
    try {
        officer.attachPhoto(visit.id, corrupt, PhotoKind.PRODUCT)
        throw AssertionError("a truncated JPEG was accepted")
    } catch (e: OcopException.Invalid) {
        check(e.field == "photo" && e.reason.contains("corrupt")) { "photo error: ${e.message}" }
    }
    try {
        officer.producer("not-a-record-id")
        throw AssertionError("a bad id was accepted")
    } catch (e: OcopException.Invalid) {
        check(e.field == "id") { "bad id field ${e.field}" }
    }

    // Callbacks that throw do not crash the process.
    val throwingTransport = object : SyncTransport {
        override fun exchange(request: ByteArray): ByteArray = throw IllegalStateException("radio off")
    }
    try {
        officer.syncWith("peer-phone", throwingTransport).awaitReport()
        throw AssertionError("a failing transport gave a report")
    } catch (e: OcopException.Internal) {
        check(e.reason.contains("radio off") || e.reason.contains("IllegalStateException")) { "reason ${e.reason}" }
    }
    val networkTransport = object : SyncTransport {
        override fun exchange(request: ByteArray): ByteArray = throw OcopException.Network("bluetooth link lost")
    }
    try {
        officer.syncWith("peer-phone", networkTransport).awaitReport()
        throw AssertionError("a failing transport gave a report")
    } catch (e: OcopException.Network) {
        check(e.reason == "bluetooth link lost") { "the app's own error must come back: ${e.reason}" }
    }
    // Phone to phone through the app transport.
    val peerTransport = object : SyncTransport {
        override fun exchange(request: ByteArray): ByteArray = runBlocking {
            union.respond(request, officer.author, vn.ocop.field.ffi.Scope(listOf("*"), emptyList()))
        }
    }
    var reports = 0
    val d2d = officer.syncWith("union-phone", peerTransport).awaitReport { reports++ }
    check(reports > 0) { "no progress in the device-to-device sync" }
    check(d2d.roundTrips > 0u) { "d2d $d2d" }
    val listenerFailing = officer.syncWithHub(hub, officerEnrollment.token)
    try {
        listenerFailing.awaitReport { throw RuntimeException("collector failed") }
        throw AssertionError("the collector's exception was swallowed")
    } catch (e: RuntimeException) {
        check(e.message == "collector failed") { "unexpected ${e.message}" }
    }

    // A progress listener that throws on every report (the generated layer, below the wrapper): counted, and the
    // sync completes.
    val raw = vn.ocop.field.ffi.OcopStore(File(dir, "raw.db").path, authorOf(officerEnrollment))
    raw.open()
    val throwing = object : vn.ocop.field.ffi.SyncProgressListener {
        override fun onProgress(progress: vn.ocop.field.ffi.SyncProgress) = throw IllegalStateException("view gone")
    }
    val rawReport = raw.syncWithHub(hub, officerEnrollment.token, throwing)
    check(rawReport.listenerFailures > 0u && rawReport.changesReceived > 0uL) { "raw $rawReport" }
    raw.closeStore()
    try {
        raw.search("che", 5u)
        throw AssertionError("a closed store answered")
    } catch (e: OcopException.NotOpen) {
        println("closed store refused a call: ${e::class.simpleName}")
    }
    raw.close()

    // Close; a closed store refuses further calls with a clear exception, and `use` closes.
    officer.close()
    union.close()
    FieldStore.open(File(dir, "officer.db").path, authorOf(officerEnrollment)).use { again ->
        check(again.producers().any { it.id == producer.id }) { "data did not survive close/open" }
    }
    println("OFFICER DAY OK: ${first.changesSent} changes up, conflict on phone resolved, ${reports} progress reports")
}
