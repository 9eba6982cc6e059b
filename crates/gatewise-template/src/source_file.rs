//! Reading the files a template names — the template itself, `DefinitionUri`, `AWS::Include`,
//! the `--env-vars` file — with a size cap, refusing anything that is not a regular file.
//!
//! `std::fs::read` of `/dev/zero` never ends (it fills memory), and of a FIFO blocks until a
//! writer comes; a path in a template is user input, so each read checks what the path is
//! before opening it and stops after the cap.

use std::fs::{File, FileType};
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

/// Largest template, `DefinitionUri` or `AWS::Include` file read: 50 MiB. CloudFormation
/// deploys templates of at most 1 MB and API Gateway imports OpenAPI files of a few MB, so
/// every real file is far below it (a generated 40,000-function template is 12 MB); what is
/// above it is a mistake, and reading it would only fill memory.
pub const MAX_TEMPLATE_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Largest `--env-vars` file read: 1 MiB. Lambda allows 4 KB of environment variables per
/// function, so even a file for hundreds of functions is a small fraction of this.
pub const MAX_ENV_VARS_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file could not be read. `message` is a full sentence naming `what` and the path.
#[derive(Debug)]
pub struct ReadError {
    /// The I/O error kind when the file system refused (e.g. `NotFound`), for callers that
    /// explain it their own way; `None` when the file was refused for what it is.
    pub io_kind: Option<std::io::ErrorKind>,
    pub message: String,
}

/// The bytes of the regular file at `path`, at most `cap` of them. `what` names the file in
/// messages, e.g. `DefinitionUri 'api.yaml'`.
pub fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>, ReadError> {
    let io = |e: std::io::Error| ReadError {
        io_kind: Some(e.kind()),
        message: format!("cannot read {what}: {e}"),
    };
    let refused = |message: String| ReadError {
        io_kind: None,
        message,
    };
    // Checked before opening: opening a FIFO for reading blocks until it has a writer.
    let kind = std::fs::metadata(path).map_err(io)?.file_type();
    if !kind.is_file() {
        return Err(refused(format!(
            "{what} is not a regular file ({}); point it at a file",
            describe(kind)
        )));
    }
    let file = File::open(path).map_err(io)?;
    // The path may have been replaced between the two checks; the open file is what counts.
    let kind = file.metadata().map_err(io)?.file_type();
    if !kind.is_file() {
        return Err(refused(format!(
            "{what} is not a regular file ({}); point it at a file",
            describe(kind)
        )));
    }
    let too_large = || {
        refused(format!(
            "{what} is larger than {} MiB, the most gatewise reads for such a file; check that it is the file you meant",
            cap / (1024 * 1024)
        ))
    };
    let mut bytes = Vec::new();
    // One byte past the cap tells a file of exactly `cap` bytes from a larger one (the file
    // can grow after `metadata`, so its length is not trusted).
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

fn describe(kind: FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_directories_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (fifo.as_path(), "a FIFO"),
            (dir.path(), "a directory"),
        ] {
            let err = read_capped(path, MAX_TEMPLATE_FILE_BYTES, "the file").unwrap_err();
            assert_eq!(
                err.message,
                format!("the file is not a regular file ({kind}); point it at a file")
            );
            assert_eq!(err.io_kind, None);
        }
    }

    #[test]
    fn the_cap_is_inclusive_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'x'; 2 * 1024 * 1024]).unwrap();
        assert_eq!(
            read_capped(&path, 2 * 1024 * 1024, "f").unwrap().len(),
            2 * 1024 * 1024
        );
        let err = read_capped(&path, 1024 * 1024, "the file 'f'").unwrap_err();
        assert!(
            err.message.starts_with("the file 'f' is larger than 1 MiB"),
            "{}",
            err.message
        );
        let missing = read_capped(&dir.path().join("nope"), 1, "x").unwrap_err();
        assert_eq!(missing.io_kind, Some(std::io::ErrorKind::NotFound));
    }
}
