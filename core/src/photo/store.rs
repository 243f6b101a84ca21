//! The content-addressed photo store on disk.
//!
//! Layout under the root (beside the database):
//!
//! ```text
//! root/ab/abcdef….jpg      a stored photo, named by the SHA-256 of its bytes, fanned out by the first two digits
//! root/tmp/….tmp           an import being written (renamed into place once synced)
//! root/partial/<hash>.part a photo being received from a peer, chunk by chunk
//! ```
//!
//! A stored file appears only by `rename` after its bytes were synced, so a name in the store always holds the
//! complete photo. Stored files are never rewritten: the same bytes always have the same name.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::meta::read_meta;
use super::process::process;
use super::{ImportedPhoto, PhotoError, PhotoOptions, sniff_format};
use crate::ids::now_millis;

/// Whether `hash` is a well-formed photo hash: exactly 64 lowercase hex digits.
pub fn is_valid_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn check_hash(hash: &str) -> Result<(), PhotoError> {
    if is_valid_hash(hash) {
        Ok(())
    } else {
        Err(PhotoError::InvalidHash)
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A directory of photos stored once each by the SHA-256 of their (re-encoded JPEG) bytes.
///
/// Cheap to create: nothing is touched on disk until the first write. All methods block on file I/O.
/// Chunked receiving is serialised by an internal lock; share one `PhotoStore` per root between threads.
#[derive(Debug)]
pub struct PhotoStore {
    root: PathBuf,
    pub(super) receive_lock: Mutex<()>,
}

impl PhotoStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            receive_lock: Mutex::new(()),
        }
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Imports the photo file at `path`: sniff, read EXIF, decode, downscale, rotate, re-encode without metadata,
    /// store once. See the [module docs](super) for the steps. Blocking.
    pub fn import(&self, path: &Path, opts: &PhotoOptions) -> Result<ImportedPhoto, PhotoError> {
        let file = File::open(path).map_err(PhotoError::io("open the photo file"))?;
        let len = file
            .metadata()
            .map_err(PhotoError::io("read the photo file"))?
            .len();
        if len > opts.max_input_bytes {
            return Err(PhotoError::TooLarge {
                bytes: len,
                max: opts.max_input_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // `take` guards against a file that grows while it is read.
        file.take(opts.max_input_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(PhotoError::io("read the photo file"))?;
        self.import_bytes(&bytes, opts)
    }

    /// Imports a photo held in memory; [`PhotoStore::import`] without the file. Blocking.
    pub fn import_bytes(
        &self,
        bytes: &[u8],
        opts: &PhotoOptions,
    ) -> Result<ImportedPhoto, PhotoError> {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > opts.max_input_bytes {
            return Err(PhotoError::TooLarge {
                bytes: size,
                max: opts.max_input_bytes,
            });
        }
        let format = sniff_format(bytes)?;
        let meta = read_meta(bytes, now_millis());
        let processed = process(bytes, format, meta.orientation, opts)?;
        let hash = sha256_hex(&processed.jpeg);
        let already_stored = self.store_bytes(&hash, &processed.jpeg)?;
        Ok(ImportedPhoto {
            hash,
            bytes: u64::try_from(processed.jpeg.len()).unwrap_or(u64::MAX),
            width: processed.width,
            height: processed.height,
            mime: "image/jpeg",
            taken_at: meta.taken_at,
            exif_gps: meta.gps,
            orientation_applied: processed.orientation_applied,
            already_stored,
        })
    }

    /// Writes `bytes` under `hash` unless an intact copy is there. Returns whether it was already stored.
    fn store_bytes(&self, hash: &str, bytes: &[u8]) -> Result<bool, PhotoError> {
        let final_path = self.stored_path(hash)?;
        if let Ok(meta) = fs::metadata(&final_path)
            && meta.is_file()
            && usize::try_from(meta.len()).ok() == Some(bytes.len())
        {
            return Ok(true);
        }
        let tmp_dir = self.root.join("tmp");
        create_dir_synced(&tmp_dir)?;
        let tmp_path = tmp_dir.join(format!("{:016x}.tmp", rand::random::<u64>()));
        let result = (|| {
            let mut tmp =
                File::create(&tmp_path).map_err(PhotoError::io("create a temporary photo file"))?;
            tmp.write_all(bytes)
                .map_err(PhotoError::io("write a photo"))?;
            tmp.sync_all()
                .map_err(PhotoError::io("sync a photo to disk"))?;
            drop(tmp);
            self.move_into_place(&tmp_path, hash)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        result.map(|()| false)
    }

    /// Renames a synced file to its place in the store and syncs the directory entry.
    pub(super) fn move_into_place(&self, from: &Path, hash: &str) -> Result<(), PhotoError> {
        let final_path = self.stored_path(hash)?;
        let dir = final_path.parent().unwrap_or(&self.root);
        create_dir_synced(dir)?;
        fs::rename(from, &final_path).map_err(PhotoError::io("move a photo into the store"))?;
        sync_dir(dir)
    }

    /// Where the photo `hash` lives (or would live): `root/ab/abcdef….jpg`.
    pub(super) fn stored_path(&self, hash: &str) -> Result<PathBuf, PhotoError> {
        check_hash(hash)?;
        let fan = hash.get(..2).ok_or(PhotoError::InvalidHash)?;
        Ok(self.root.join(fan).join(format!("{hash}.jpg")))
    }

    fn existing_path(&self, hash: &str) -> Result<PathBuf, PhotoError> {
        let path = self.stored_path(hash)?;
        if path.is_file() {
            Ok(path)
        } else {
            Err(PhotoError::NotFound {
                hash: hash.to_owned(),
            })
        }
    }

    /// Whether the photo `hash` is completely stored. A malformed hash is simply not contained.
    pub fn contains(&self, hash: &str) -> bool {
        self.existing_path(hash).is_ok()
    }

    /// The file of the stored photo `hash`, for platforms that display or share it by path.
    pub fn path_of(&self, hash: &str) -> Option<PathBuf> {
        self.existing_path(hash).ok()
    }

    /// Size of the stored photo in bytes.
    pub fn len(&self, hash: &str) -> Result<u64, PhotoError> {
        let path = self.existing_path(hash)?;
        Ok(fs::metadata(path)
            .map_err(PhotoError::io("read a stored photo"))?
            .len())
    }

    /// Up to `max_len` bytes of the stored photo from `offset` (fewer at the end; none at or past the end).
    pub fn read_chunk(
        &self,
        hash: &str,
        offset: u64,
        max_len: usize,
    ) -> Result<Vec<u8>, PhotoError> {
        let path = self.existing_path(hash)?;
        let mut file = File::open(path).map_err(PhotoError::io("open a stored photo"))?;
        let len = file
            .metadata()
            .map_err(PhotoError::io("read a stored photo"))?
            .len();
        let want = len
            .saturating_sub(offset)
            .min(u64::try_from(max_len).unwrap_or(u64::MAX));
        let mut buf = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
        file.seek(SeekFrom::Start(offset.min(len)))
            .map_err(PhotoError::io("read a stored photo"))?;
        file.take(want)
            .read_to_end(&mut buf)
            .map_err(PhotoError::io("read a stored photo"))?;
        Ok(buf)
    }

    /// The whole stored photo.
    pub fn read_all(&self, hash: &str) -> Result<Vec<u8>, PhotoError> {
        let path = self.existing_path(hash)?;
        fs::read(path).map_err(PhotoError::io("read a stored photo"))
    }

    /// Re-hashes the stored photo: `Ok(true)` when its bytes still match its name, `Ok(false)` when the file was
    /// damaged on disk (the caller may remove it and fetch it again from a peer).
    pub fn verify(&self, hash: &str) -> Result<bool, PhotoError> {
        let path = self.existing_path(hash)?;
        Ok(hash_file(&path)? == hash)
    }

    /// The hashes of all completely stored photos, sorted.
    pub fn list(&self) -> Result<Vec<String>, PhotoError> {
        let mut hashes = Vec::new();
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(hashes),
            Err(e) => return Err(PhotoError::io("list the photo store")(e)),
        };
        for entry in entries {
            let entry = entry.map_err(PhotoError::io("list the photo store"))?;
            let fan = entry.file_name();
            let Some(fan) = fan.to_str().filter(|f| f.len() == 2) else {
                continue;
            };
            if !entry.path().is_dir() {
                continue;
            }
            for file in
                fs::read_dir(entry.path()).map_err(PhotoError::io("list the photo store"))?
            {
                let file = file.map_err(PhotoError::io("list the photo store"))?;
                let name = file.file_name();
                let Some(hash) = name.to_str().and_then(|n| n.strip_suffix(".jpg")) else {
                    continue;
                };
                if is_valid_hash(hash) && hash.starts_with(fan) {
                    hashes.push(hash.to_owned());
                }
            }
        }
        hashes.sort();
        Ok(hashes)
    }
}

/// SHA-256 of a file, streamed.
pub(super) fn hash_file(path: &Path) -> Result<String, PhotoError> {
    let mut file = File::open(path).map_err(PhotoError::io("open a photo"))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(PhotoError::io("read a photo"))?;
        let Some(read) = buf.get(..n).filter(|r| !r.is_empty()) else {
            break;
        };
        hasher.update(read);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Creates `dir` (and parents) if missing, syncing the parent so the new entry is durable.
pub(super) fn create_dir_synced(dir: &Path) -> Result<(), PhotoError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(PhotoError::io("create a photo directory"))?;
    match dir.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

/// Syncs a directory so renames and new entries in it survive a power loss. A no-op where directories cannot be
/// opened for syncing (Windows).
pub(super) fn sync_dir(dir: &Path) -> Result<(), PhotoError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(PhotoError::io("sync a photo directory"))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Opens a file for appending, creating it (durably) when missing.
pub(super) fn open_append(path: &Path) -> Result<File, PhotoError> {
    let existed = path.exists();
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(PhotoError::io("open a partial photo"))?;
    if !existed && let Some(parent) = path.parent() {
        sync_dir(parent)?;
    }
    Ok(file)
}
