//! Whatever a user picks or a peer sends, the photo store answers with a value or a typed error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use ocop_core::photo::{PhotoOptions, PhotoStore, testing};
use proptest::prelude::*;

/// A real small JPEG with EXIF, to mutate.
fn sample_jpeg() -> &'static [u8] {
    static SAMPLE: OnceLock<Vec<u8>> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jpg");
        let spec = testing::ExifSpec {
            taken_at: Some(1_700_000_000_000),
            gps: Some((16.0, 108.0)),
            orientation: Some(8),
            owner_name: Some("x".into()),
            ..Default::default()
        };
        testing::generate_jpeg(&path, 48, 32, 1, Some(&spec)).unwrap();
        std::fs::read(&path).unwrap()
    })
}

fn import(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in");
    std::fs::write(&path, bytes).unwrap();
    let store = PhotoStore::new(dir.path().join("store"));
    if let Ok(photo) = store.import(&path, &PhotoOptions::default()) {
        assert!(store.verify(&photo.hash).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        import(&bytes);
    }

    #[test]
    fn arbitrary_bytes_behind_a_magic_number_never_panic(
        magic in prop::sample::select(vec![
            b"\xFF\xD8\xFF".to_vec(),
            b"\x89PNG\r\n\x1a\n".to_vec(),
            b"RIFF\x00\x10\x00\x00WEBPVP8L".to_vec(),
            b"\x00\x00\x00\x18ftypheic".to_vec(),
        ]),
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic;
        bytes.extend(tail);
        import(&bytes);
    }

    #[test]
    fn mutated_real_jpegs_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
                                      cut in any::<prop::sample::Index>()) {
        let mut bytes = sample_jpeg().to_vec();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        bytes.truncate(cut.index(bytes.len()) + 1);
        import(&bytes);
    }

    #[test]
    fn arbitrary_receive_calls_never_panic(hash in "[0-9a-f./]{0,70}", offset in any::<u64>(),
                                           chunk in proptest::collection::vec(any::<u8>(), 0..64), total in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::new(dir.path().to_path_buf());
        let _ = store.receive_chunk(&hash, offset, &chunk);
        let _ = store.receive_chunk(&hash, 0, &chunk);
        let _ = store.receive_offset(&hash);
        let _ = store.finish_receive(&hash, total);
        let _ = store.read_chunk(&hash, offset, 16);
        let _ = store.verify(&hash);
    }
}
