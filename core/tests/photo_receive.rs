//! A photo travels from one device's store to another's in chunks over a link that breaks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ocop_core::photo::{CHUNK_SIZE, PhotoError, PhotoOptions, PhotoStore, testing};

struct Pair {
    _dir: tempfile::TempDir,
    sender: PhotoStore,
    receiver: PhotoStore,
    hash: String,
    len: u64,
}

/// A sender holding one photo of a few chunks (a noisy 1600×1200 JPEG at quality 95).
fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src.jpg");
    testing::generate_jpeg(&source, 1600, 1200, 42, None).unwrap();
    let sender = PhotoStore::new(dir.path().join("a"));
    let receiver = PhotoStore::new(dir.path().join("b"));
    let opts = PhotoOptions {
        jpeg_quality: 95,
        ..PhotoOptions::default()
    };
    let photo = sender.import(&source, &opts).unwrap();
    assert!(
        photo.bytes > 2 * CHUNK_SIZE as u64,
        "the photo spans several chunks: {}",
        photo.bytes
    );
    Pair {
        _dir: dir,
        sender,
        receiver,
        hash: photo.hash,
        len: photo.bytes,
    }
}

/// Sends chunks from wherever the receiver stands, stopping after `max_chunks` (the link breaks).
fn send(p: &Pair, max_chunks: usize) -> u64 {
    let mut offset = p.receiver.receive_offset(&p.hash).unwrap();
    for _ in 0..max_chunks {
        let chunk = p.sender.read_chunk(&p.hash, offset, CHUNK_SIZE).unwrap();
        if chunk.is_empty() {
            break;
        }
        offset = p.receiver.receive_chunk(&p.hash, offset, &chunk).unwrap();
    }
    offset
}

#[test]
fn an_interrupted_transfer_resumes_where_it_stopped() {
    let p = pair();
    assert_eq!(p.receiver.receive_offset(&p.hash).unwrap(), 0);
    let after_break = send(&p, 1);
    assert_eq!(after_break, CHUNK_SIZE as u64);
    assert!(
        !p.receiver.contains(&p.hash),
        "a partial photo is not visible"
    );

    // The app restarts: a fresh store value over the same directory still knows where to resume.
    let receiver = PhotoStore::new(p.receiver.root().to_path_buf());
    assert_eq!(receiver.receive_offset(&p.hash).unwrap(), after_break);
    // Resending the acknowledged chunk is refused with the offset to resume from.
    let first = p.sender.read_chunk(&p.hash, 0, CHUNK_SIZE).unwrap();
    let err = receiver.receive_chunk(&p.hash, 0, &first).unwrap_err();
    assert!(
        matches!(err, PhotoError::OffsetMismatch { expected, got: 0 } if expected == after_break)
    );

    // Finishing early keeps what was received.
    assert!(matches!(
        p.receiver.finish_receive(&p.hash, p.len),
        Err(PhotoError::LengthMismatch { .. })
    ));
    assert_eq!(p.receiver.receive_offset(&p.hash).unwrap(), after_break);

    assert_eq!(send(&p, usize::MAX), p.len);
    p.receiver.finish_receive(&p.hash, p.len).unwrap();
    assert!(p.receiver.verify(&p.hash).unwrap());
    assert_eq!(
        p.receiver.read_all(&p.hash).unwrap(),
        p.sender.read_all(&p.hash).unwrap()
    );
    assert_eq!(
        p.receiver.receive_offset(&p.hash).unwrap(),
        p.len,
        "complete: nothing more to send"
    );
    p.receiver.finish_receive(&p.hash, p.len).unwrap(); // a repeated finish is harmless
    assert!(matches!(
        p.receiver.receive_chunk(&p.hash, p.len, b"x"),
        Err(PhotoError::AlreadyComplete)
    ));
    assert_eq!(p.receiver.list().unwrap(), vec![p.hash.clone()]);
}

#[test]
fn content_that_does_not_match_its_hash_is_refused_and_dropped() {
    let p = pair();
    let mut bytes = p.sender.read_all(&p.hash).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x55;
    for (i, chunk) in bytes.chunks(CHUNK_SIZE).enumerate() {
        p.receiver
            .receive_chunk(&p.hash, (i * CHUNK_SIZE) as u64, chunk)
            .unwrap();
    }
    let err = p.receiver.finish_receive(&p.hash, p.len).unwrap_err();
    assert!(
        matches!(err, PhotoError::HashMismatch { ref expected, .. } if *expected == p.hash),
        "{err:?}"
    );
    assert!(!p.receiver.contains(&p.hash));
    assert_eq!(
        p.receiver.receive_offset(&p.hash).unwrap(),
        0,
        "the bad partial is gone; start over"
    );
}

#[test]
fn a_longer_partial_than_announced_is_dropped() {
    let p = pair();
    let all = p.sender.read_all(&p.hash).unwrap();
    p.receiver.receive_chunk(&p.hash, 0, &all).unwrap();
    assert!(matches!(
        p.receiver.finish_receive(&p.hash, p.len - 1),
        Err(PhotoError::LengthMismatch { .. })
    ));
    assert_eq!(p.receiver.receive_offset(&p.hash).unwrap(), 0);
}

#[test]
fn hashes_that_could_name_a_path_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = PhotoStore::new(dir.path().join("photos"));
    let evil = [
        "../../../../etc/passwd".to_string(),
        format!("../{}", "a".repeat(61)),
        "A".repeat(64), // uppercase
        "g".repeat(64), // not hex
        "a".repeat(63), // too short
        format!("{}/", "a".repeat(63)),
        String::new(),
    ];
    for hash in &evil {
        assert!(
            matches!(
                store.receive_chunk(hash, 0, b"x"),
                Err(PhotoError::InvalidHash)
            ),
            "{hash}"
        );
        assert!(
            matches!(store.receive_offset(hash), Err(PhotoError::InvalidHash)),
            "{hash}"
        );
        assert!(
            matches!(store.finish_receive(hash, 1), Err(PhotoError::InvalidHash)),
            "{hash}"
        );
        assert!(
            matches!(store.read_chunk(hash, 0, 10), Err(PhotoError::InvalidHash)),
            "{hash}"
        );
        assert!(
            matches!(store.read_all(hash), Err(PhotoError::InvalidHash)),
            "{hash}"
        );
        assert!(
            matches!(store.verify(hash), Err(PhotoError::InvalidHash)),
            "{hash}"
        );
        assert!(!store.contains(hash) && store.path_of(hash).is_none());
    }
    let written: Vec<_> = walk(dir.path());
    assert!(written.is_empty(), "nothing was written: {written:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn reading_chunks_of_a_stored_photo() {
    let p = pair();
    let all = p.sender.read_all(&p.hash).unwrap();
    assert_eq!(p.sender.len(&p.hash).unwrap(), all.len() as u64);
    assert_eq!(p.sender.read_chunk(&p.hash, 10, 5).unwrap(), &all[10..15]);
    assert_eq!(
        p.sender.read_chunk(&p.hash, p.len - 2, 100).unwrap(),
        &all[all.len() - 2..]
    );
    assert!(
        p.sender
            .read_chunk(&p.hash, p.len + 10, 100)
            .unwrap()
            .is_empty()
    );
    let missing = "0".repeat(64);
    assert!(matches!(
        p.sender.read_all(&missing),
        Err(PhotoError::NotFound { .. })
    ));
    assert!(matches!(
        p.sender.len(&missing),
        Err(PhotoError::NotFound { .. })
    ));
}

#[test]
fn a_damaged_stored_file_fails_verification() {
    let p = pair();
    let path = p.sender.path_of(&p.hash).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    assert!(!p.sender.verify(&p.hash).unwrap());
}

#[test]
fn a_peer_cannot_plant_a_non_jpeg_under_its_true_hash() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let store = PhotoStore::new(dir.path().to_path_buf());
    let payload = b"<html>not a photo</html>";
    let hash = hex::encode(sha2::Sha256::digest(payload));
    store.receive_chunk(&hash, 0, payload).unwrap();
    let err = store
        .finish_receive(&hash, payload.len() as u64)
        .unwrap_err();
    assert!(matches!(err, PhotoError::UnsupportedFormat(_)), "{err:?}");
    assert!(!store.contains(&hash));
    assert_eq!(store.receive_offset(&hash).unwrap(), 0);
}

#[test]
fn a_peer_cannot_fill_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = PhotoStore::new(dir.path().to_path_buf());
    let hash = "ab".repeat(32);
    let err = store.receive_chunk(
        &hash,
        0,
        &vec![0u8; ocop_core::photo::MAX_RECEIVE_BYTES as usize + 1],
    );
    assert!(matches!(err, Err(PhotoError::TooLarge { .. })));
    assert_eq!(store.receive_offset(&hash).unwrap(), 0);
}
