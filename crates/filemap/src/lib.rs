/*!
The bytes of an input file, for readers that take the file whole.

A large file is mapped read-only (`mmap` with `MAP_POPULATE`) instead of copied: the pages
already in the page cache are put into the process as they are, where `read` has the kernel
zero fresh pages and copy into them. A `kcvs scan` of the 9.5 MB bench plan is 1.21× faster
mapped than with `--no-mmap` (the README's same-binary A/B).

A mapping has two hazards a copy does not, and this crate answers both:

- **The file is cut short while it is read.** Touching a mapped page past the new end raises
  `SIGBUS`, which would end the process with no word of why. While a mapping is in use, a
  `SIGBUS` handler checks whether the faulting address is in it; if so it writes the message the
  caller gave (naming the file) to standard error and exits with code 2, as for any bad input.
  Any other `SIGBUS` goes to the handler that was there before (Rust's own), as if this one had
  never been installed.
- **The file is rewritten while it is read.** The bytes may then change under the reader. The
  readers that take these bytes check every byte they use (serde_json and memchr do bounds-checked
  reads), so the outcome is an error or a result from a mix of the two versions, as with a `read`
  that raced the writer; [`How::Read`] (the CLI's `--no-mmap`) copies instead, for files on
  network filesystems or ones a process may rewrite during a scan.

Small files, empty files and anything not a regular file are read with `std::fs::read`, and so is
any file whose mapping fails: the mapping only ever changes how fast the bytes arrive, never what
a reader sees or which error a user gets.
*/

use std::fs::File;
use std::io;
use std::ops::Deref;
use std::path::Path;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// How to get the bytes.
#[derive(Clone, Debug)]
pub enum How {
    /// Always `std::fs::read`.
    Read,
    /// Map regular files of at least `from` bytes; `truncated` is written to standard error,
    /// and the process exits with code 2, if the file turns out shorter than it was when mapped.
    Map { from: u64, truncated: String },
}

/// The bytes of a file, mapped or read.
pub struct FileBytes {
    inner: Inner,
}

enum Inner {
    Read(Vec<u8>),
    Mapped(Mapping),
}

impl FileBytes {
    /// Whether the bytes are a mapping of the file (tests and diagnostics).
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped(_))
    }
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.inner {
            Inner::Read(v) => v,
            Inner::Mapped(m) => m.bytes(),
        }
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileBytes")
            .field("len", &self.len())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}

/// The bytes of the file at `path`: what `std::fs::read` gives, and its error when it fails.
pub fn read(path: &Path, how: &How) -> io::Result<FileBytes> {
    if let How::Map { from, truncated } = how
        && let Some(mapping) = Mapping::of(path, *from, truncated)
    {
        return Ok(FileBytes {
            inner: Inner::Mapped(mapping),
        });
    }
    Ok(FileBytes {
        inner: Inner::Read(std::fs::read(path)?),
    })
}

// ---- the mapping ------------------------------------------------------------------------------

/// A read-only private mapping of a whole file, guarded against truncation while it lives.
struct Mapping {
    ptr: *const u8,
    len: usize,
    /// The message the `SIGBUS` handler writes; it must outlive the guard, so the mapping owns it.
    _message: Box<[u8]>,
}

#[allow(unsafe_code)]
// SAFETY: the pages are mapped read-only and never written or remapped while `Mapping` lives;
// every thread only reads them.
unsafe impl Send for Mapping {}
#[allow(unsafe_code)]
// SAFETY: as for `Send`: shared access is read-only.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Map `path` when it is a regular, non-empty file of at least `from` bytes and no other
    /// mapping is guarded at the moment; `None` whenever the caller should read instead.
    fn of(path: &Path, from: u64, truncated: &str) -> Option<Mapping> {
        let file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() == 0 || meta.len() < from {
            return None;
        }
        let len = usize::try_from(meta.len()).ok()?;
        let mut message = Vec::with_capacity(truncated.len() + 1);
        message.extend_from_slice(truncated.as_bytes());
        message.push(b'\n');
        let message = message.into_boxed_slice();
        install_handler()?;
        let ptr = map(&file, len)?;
        if !guard(ptr as usize, len, &message) {
            unmap(ptr, len);
            return None;
        }
        Some(Mapping {
            ptr,
            len,
            _message: message,
        })
    }

    fn bytes(&self) -> &[u8] {
        #[allow(unsafe_code)]
        // SAFETY: `ptr` is the start of a live mapping of `len` readable bytes, made by `map` and
        // unmapped only in `drop`; the slice borrows `self`, so it cannot outlive the mapping.
        // A page cut off by truncation faults instead of being read, and the guard turns that
        // fault into an exit before any code sees the page.
        unsafe {
            std::slice::from_raw_parts(self.ptr, self.len)
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // The guard goes first: once the pages are unmapped, a fault at these addresses is not
        // this file's.
        unguard();
        unmap(self.ptr, self.len);
    }
}

fn map(file: &File, len: usize) -> Option<*const u8> {
    use std::os::fd::AsRawFd as _;
    #[allow(unsafe_code)]
    // SAFETY: a fresh private read-only mapping chosen by the kernel (null hint) overlaps no
    // memory Rust knows about; the descriptor is open for the duration of the call, and the
    // mapping stays valid after the file is closed.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE | libc::MAP_POPULATE,
            file.as_raw_fd(),
            0,
        )
    };
    (ptr != libc::MAP_FAILED).then_some(ptr as *const u8)
}

fn unmap(ptr: *const u8, len: usize) {
    #[allow(unsafe_code)]
    // SAFETY: `ptr`/`len` are exactly a mapping made by `map` and not yet unmapped; no slice of
    // it outlives the `Mapping` that calls this.
    unsafe {
        libc::munmap(ptr as *mut libc::c_void, len);
    }
}

// ---- the SIGBUS guard -------------------------------------------------------------------------

/// The guarded address range, `[START, END)`; both 0 when nothing is guarded. One range at a
/// time: a second file asked for while one is mapped is read instead.
static START: AtomicUsize = AtomicUsize::new(0);
static END: AtomicUsize = AtomicUsize::new(0);
/// The message for the guarded range (owned by its `Mapping`).
static MESSAGE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static MESSAGE_LEN: AtomicUsize = AtomicUsize::new(0);
/// The `SIGBUS` action that was in place before ours, to hand other faults to.
static PREVIOUS: std::sync::OnceLock<Option<libc::sigaction>> = std::sync::OnceLock::new();

fn guard(start: usize, len: usize, message: &[u8]) -> bool {
    if START
        .compare_exchange(0, start, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return false;
    }
    MESSAGE.store(message.as_ptr().cast_mut(), Ordering::SeqCst);
    MESSAGE_LEN.store(message.len(), Ordering::SeqCst);
    END.store(start + len, Ordering::SeqCst);
    true
}

fn unguard() {
    END.store(0, Ordering::SeqCst);
    MESSAGE_LEN.store(0, Ordering::SeqCst);
    MESSAGE.store(std::ptr::null_mut(), Ordering::SeqCst);
    START.store(0, Ordering::SeqCst);
}

/// Install the handler once; `None` if that failed (the caller then reads instead of mapping).
fn install_handler() -> Option<()> {
    PREVIOUS
        .get_or_init(|| {
            #[allow(unsafe_code)]
            // SAFETY: `sigaction` with a zeroed, then filled, action struct; the handler only
            // calls async-signal-safe functions (write, _exit, sigaction, raise) and reads
            // atomics. `previous` receives the old action before ours takes effect.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_sigbus as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                let mut previous: libc::sigaction = std::mem::zeroed();
                (libc::sigaction(libc::SIGBUS, &action, &mut previous) == 0).then_some(previous)
            }
        })
        .map(|_| ())
}

extern "C" fn on_sigbus(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    #[allow(unsafe_code)]
    // SAFETY: the kernel passes a valid `siginfo_t` to an SA_SIGINFO handler; `si_addr` is
    // meaningful for the fault codes (si_code > 0) and only compared, never dereferenced. The
    // message pointer and length are stored together by `guard` and point into a buffer the
    // live `Mapping` owns; `write` and `_exit` are async-signal-safe.
    unsafe {
        let from_fault = (*info).si_code > 0;
        let addr = (*info).si_addr() as usize;
        let (start, end) = (START.load(Ordering::SeqCst), END.load(Ordering::SeqCst));
        if from_fault && start != 0 && addr >= start && addr < end {
            let msg = MESSAGE.load(Ordering::SeqCst);
            let len = MESSAGE_LEN.load(Ordering::SeqCst);
            if !msg.is_null() {
                libc::write(2, msg as *const libc::c_void, len);
            }
            libc::_exit(2);
        }
        // Not a fault in the guarded file: put the previous action back. A fault then happens
        // again when this returns and goes to it; a signal sent by `kill` is sent again.
        match PREVIOUS.get() {
            Some(Some(previous)) => {
                libc::sigaction(signal, previous, std::ptr::null_mut());
            }
            _ => {
                libc::signal(signal, libc::SIG_DFL);
            }
        }
        if !from_fault {
            libc::raise(signal);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::process::Command;

    fn file_of(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(bytes).expect("write");
        f.flush().expect("flush");
        f
    }

    /// Tests that need the one guard hold this, so they do not take it from each other.
    static GUARD_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        GUARD_TESTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn map_from(from: u64) -> How {
        How::Map {
            from,
            truncated: "cut short".to_owned(),
        }
    }

    #[test]
    fn mapped_and_read_bytes_are_the_bytes_std_reads() {
        let _serial = serial();
        for len in [1usize, 2, 4095, 4096, 4097, 65_537, 1 << 20] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let f = file_of(&bytes);
            let mapped = read(f.path(), &map_from(0)).expect("mapped");
            assert!(mapped.is_mapped(), "len {len}");
            assert_eq!(&*mapped, &bytes[..], "len {len}");
            drop(mapped);
            let copied = read(f.path(), &How::Read).expect("read");
            assert!(!copied.is_mapped());
            assert_eq!(&*copied, &bytes[..]);
        }
    }

    #[test]
    fn small_empty_and_special_files_are_read_and_errors_are_std_errors() {
        let small = file_of(b"{}");
        let got = read(small.path(), &map_from(3)).expect("small");
        assert!(!got.is_mapped());
        assert_eq!(&*got, b"{}");
        let empty = file_of(b"");
        let got = read(empty.path(), &map_from(0)).expect("empty");
        assert!(!got.is_mapped());
        assert!(got.is_empty());
        let dir = tempfile::tempdir().expect("dir");
        let err = read(dir.path(), &map_from(0)).expect_err("a folder");
        let std_err = std::fs::read(dir.path()).expect_err("a folder");
        assert_eq!(err.kind(), std_err.kind());
        let missing = dir.path().join("absent.json");
        let err = read(&missing, &map_from(0)).expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn one_guarded_mapping_at_a_time_and_the_guard_is_released() {
        let _serial = serial();
        let a = file_of(&[1u8; 8192]);
        let b = file_of(&[2u8; 8192]);
        let first = read(a.path(), &map_from(0)).expect("a");
        let second = read(b.path(), &map_from(0)).expect("b");
        // The second file, asked for while the first holds the guard, is read whole instead.
        assert!(first.is_mapped());
        assert!(!second.is_mapped());
        assert_eq!(&*first, &[1u8; 8192][..]);
        assert_eq!(&*second, &[2u8; 8192][..]);
        drop(first);
        // Released: the next file is mapped again.
        let again = read(b.path(), &map_from(0)).expect("b again");
        assert!(again.is_mapped());
        drop(second);
    }

    /// The child half of the subprocess tests: what it does depends on `KCVS_FILEMAP_CHILD`.
    #[test]
    fn child() {
        let Ok(what) = std::env::var("KCVS_FILEMAP_CHILD") else {
            return;
        };
        match what.as_str() {
            "truncate" => {
                let f = file_of(&[7u8; 3 * 4096]);
                let how = How::Map {
                    from: 0,
                    truncated: "kcvs: plan.json was cut short while it was read".to_owned(),
                };
                let bytes = read(f.path(), &how).expect("map");
                assert!(bytes.is_mapped());
                f.as_file().set_len(0).expect("truncate");
                // The last page is past the new end: touching it faults.
                let last = bytes.get(3 * 4096 - 1).copied();
                println!("read {last:?} without a fault");
            }
            "other" => {
                // A guarded mapping is live, and another mapping (not through this crate) is cut
                // short and touched: that fault is not the guarded file's, so it must end the
                // process by SIGBUS as it always did, not exit 2.
                let guarded = file_of(&[7u8; 4096]);
                let bytes = read(guarded.path(), &map_from(0)).expect("map");
                assert!(bytes.is_mapped());
                let other = file_of(&[8u8; 2 * 4096]);
                let ptr = map(other.as_file(), 2 * 4096).expect("map other");
                other.as_file().set_len(0).expect("truncate");
                #[allow(unsafe_code)]
                // SAFETY: reading a byte of a live mapping; the fault it raises is the point.
                let byte = unsafe { std::ptr::read_volatile(ptr.add(4096)) };
                println!("survived SIGBUS, read {byte}");
            }
            _ => {}
        }
    }

    fn run_child(what: &str) -> std::process::Output {
        let exe = std::env::current_exe().expect("test binary");
        Command::new(exe)
            .args(["--exact", "tests::child", "--nocapture", "--test-threads=1"])
            .env("KCVS_FILEMAP_CHILD", what)
            .output()
            .expect("run child")
    }

    #[test]
    fn a_file_cut_short_while_mapped_exits_2_with_the_message() {
        let out = run_child("truncate");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(2),
            "stderr: {stderr}\nstdout: {stdout}"
        );
        assert!(
            stderr.contains("kcvs: plan.json was cut short while it was read"),
            "{stderr}"
        );
        assert!(!stdout.contains("without a fault"), "{stdout}");
    }

    #[test]
    fn another_sigbus_still_ends_the_process() {
        use std::os::unix::process::ExitStatusExt as _;
        let out = run_child("other");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.signal(), Some(libc::SIGBUS), "{stdout}");
        assert!(!stdout.contains("survived"), "{stdout}");
    }
}
