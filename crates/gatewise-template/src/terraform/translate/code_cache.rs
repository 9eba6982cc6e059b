//! Function code that exists only as a zip (a pre-built `filename`) or inside the
//! configuration (an `archive_file` with inline `source` blocks), written out once to a cache
//! folder the function then runs from.
//!
//! Folders are named by a hash of what they hold, so a changed zip gets a new folder and an
//! unchanged one is reused; each is written under a temporary name and renamed into place, so
//! two gatewise processes never see half a folder.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use sha2::Digest as _;

/// Lambda's limit on a function's unzipped code (250 MB): larger archives do not deploy, and
/// the cap stops a zip bomb from filling the disk.
pub const MAX_UNZIPPED_BYTES: u64 = 262_144_000;

/// Where extracted code lives: `$XDG_CACHE_HOME/gatewise/function-code`, else
/// `~/.cache/gatewise/function-code`, else the temporary folder.
fn cache_root() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("gatewise").join("function-code")
}

fn key(parts: &[&[u8]]) -> String {
    let mut hash = sha2::Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Fills a new folder with `fill` unless the folder for `key` exists already.
fn cached(key: &str, fill: impl FnOnce(&Path) -> Result<(), String>) -> Result<PathBuf, String> {
    let root = cache_root();
    let target = root.join(key);
    if target.is_dir() {
        return Ok(target);
    }
    std::fs::create_dir_all(&root)
        .map_err(|e| format!("cannot create the code cache {}: {e}", root.display()))?;
    let partial = root.join(format!(".{key}.{}.partial", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir(&partial)
        .map_err(|e| format!("cannot write to the code cache {}: {e}", root.display()))?;
    if let Err(e) = fill(&partial) {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(e);
    }
    match std::fs::rename(&partial, &target) {
        Ok(()) => Ok(target),
        // Another process put the same folder in place first: use that one.
        Err(_) if target.is_dir() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(target)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            Err(format!(
                "cannot write to the code cache {}: {e}",
                root.display()
            ))
        }
    }
}

/// The folder holding the extracted contents of the zip at `zip`.
pub fn extracted(zip: &Path) -> Result<PathBuf, String> {
    let bytes =
        crate::source_file::read_capped(zip, MAX_UNZIPPED_BYTES, &zip.display().to_string())
            .map_err(|e| e.message)?;
    cached(&key(&[b"zip", &bytes]), |dir| extract(&bytes, dir))
}

fn extract(bytes: &[u8], dir: &Path) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("it is not a zip archive gatewise can read ({e})"))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("a zip entry cannot be read: {e}"))?;
        // `enclosed_name` refuses absolute paths and `..` (no writing outside the folder).
        let Some(relative) = entry.enclosed_name() else {
            return Err(format!(
                "the zip entry '{}' points outside the archive",
                entry.name().unwrap_or_default()
            ));
        };
        let path = dir.join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut out = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let remaining = MAX_UNZIPPED_BYTES.saturating_sub(total);
        let written = std::io::copy(&mut (&mut entry).take(remaining + 1), &mut out)
            .map_err(|e| e.to_string())?;
        total += written;
        if total > MAX_UNZIPPED_BYTES {
            return Err(format!(
                "it unzips to more than Lambda's {MAX_UNZIPPED_BYTES}-byte limit for function code"
            ));
        }
        #[cfg(unix)]
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt as _;
            // Keep the executable bits (a `provided` bootstrap needs them), nothing else.
            let _ = std::fs::set_permissions(
                &path,
                std::fs::Permissions::from_mode(0o644 | (mode & 0o111)),
            );
        }
    }
    Ok(())
}

/// The folder holding `files` (name, content), as an `archive_file` with `source` blocks zips
/// them.
pub fn written(files: &[(String, String)]) -> Result<PathBuf, String> {
    let mut parts: Vec<&[u8]> = vec![b"inline"];
    for (name, content) in files {
        parts.push(name.as_bytes());
        parts.push(content.as_bytes());
    }
    cached(&key(&parts), |dir| {
        for (name, content) in files {
            let relative = Path::new(name);
            if relative.is_absolute()
                || relative
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
            {
                return Err(format!(
                    "the source filename '{name}' points outside the archive"
                ));
            }
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, content).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}
