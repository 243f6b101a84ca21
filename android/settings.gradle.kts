// The OCOP Field Android library as a stand-alone Gradle build (include it in an app with includeBuild("…/android")
// or publish it as an AAR). Needs the Android SDK and NDK; see bindings/README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "ocop-field-android"
