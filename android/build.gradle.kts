// Android library module: the Kotlin bindings generated from the Rust library at build time (never committed),
// the idiomatic wrapper in src/main/kotlin, and the native libraries in src/main/jniLibs placed by
// scripts/bindings-android.sh (cargo-ndk). `./gradlew assembleRelease` runs that script first.
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.0"
}

android {
    namespace = "vn.ocop.field"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].java.srcDir(layout.buildDirectory.dir("generated/uniffi/kotlin"))
    sourceSets["main"].jniLibs.srcDir(layout.buildDirectory.dir("generated/jniLibs"))
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions {
        jvmTarget = "17"
    }
}

dependencies {
    implementation("net.java.dev.jna:jna:5.14.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
}

// Builds the Rust library for the Android ABIs and generates the Kotlin bindings from it.
val buildRust by tasks.registering(Exec::class) {
    workingDir = rootDir.parentFile
    commandLine(
        "scripts/bindings-android.sh",
        layout.buildDirectory.dir("generated/jniLibs").get().asFile.path,
        layout.buildDirectory.dir("generated/uniffi/kotlin").get().asFile.path,
    )
}
tasks.named("preBuild") { dependsOn(buildRust) }
