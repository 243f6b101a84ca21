//! The `uniffi-bindgen` command, built from the exact uniffi version the library uses: generates the Kotlin and
//! Swift bindings from the built library (`generate --library target/debug/libocop_ffi.so --language kotlin`).

fn main() {
    uniffi::uniffi_bindgen_main()
}
