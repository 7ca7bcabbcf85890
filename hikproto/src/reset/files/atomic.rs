//! Atomic, owner-only writes and bounded reads.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::FileError;

fn io(path: &Path, op: &'static str, source: std::io::Error) -> FileError {
    FileError::Io {
        path: path.to_owned(),
        op,
        source,
    }
}

/// Writes `bytes` to exactly `path`, atomically: a temporary file beside it is written, flushed
/// to disk and renamed over `path` (the directory is flushed too, on Unix). On Unix the file is
/// created readable and writable by the owner only. Nothing is written anywhere else; on error
/// the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let name = path.file_name().ok_or_else(|| {
        io(
            path,
            "write",
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file"),
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(
        ".tmp-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let tmp = dir.join(tmp_name);

    let result = (|| {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&tmp)
            .map_err(|e| io(path, "create a temporary file for", e))?;
        f.write_all(bytes).map_err(|e| io(path, "write", e))?;
        f.sync_all().map_err(|e| io(path, "flush", e))?;
        drop(f);
        fs::rename(&tmp, path).map_err(|e| io(path, "replace", e))?;
        #[cfg(unix)]
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads a whole file, refusing one larger than `limit` bytes (checked before and while
/// reading, so a growing file cannot exhaust memory) and an empty one.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let f = File::open(path).map_err(|e| io(path, "read", e))?;
    let meta = f.metadata().map_err(|e| io(path, "read", e))?;
    if !meta.is_file() {
        return Err(io(
            path,
            "read",
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    if meta.len() > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io(path, "read", e))?;
    if buf.len() as u64 > limit {
        return Err(FileError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    if buf.is_empty() {
        return Err(FileError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("DeviceKey.xml");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn atomic_write_failures_are_typed() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/file.bin");
        assert!(matches!(
            write_atomic(&missing, b"x"),
            Err(FileError::Io { .. })
        ));
        assert!(matches!(
            write_atomic(Path::new("/"), b"x"),
            Err(FileError::Io { .. })
        ));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn bounded_reads() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, vec![7u8; 100]).unwrap();
        assert_eq!(read_bounded(&p, 100).unwrap().len(), 100);
        assert!(matches!(
            read_bounded(&p, 99),
            Err(FileError::TooLarge { limit: 99, .. })
        ));
        fs::write(&p, b"").unwrap();
        assert!(matches!(read_bounded(&p, 10), Err(FileError::Empty { .. })));
        assert!(matches!(
            read_bounded(dir.path(), 10),
            Err(FileError::Io { .. })
        ));
        assert!(matches!(
            read_bounded(&dir.path().join("missing"), 10),
            Err(FileError::Io { .. })
        ));
    }
}
