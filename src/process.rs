//! Process setup before any worker starts: Tesseract's OpenMP kept to one thread per worker,
//! and glibc's malloc shaped for a reader's tensors.
//!
//! fidelio already runs one Tesseract per core; letting each one also spawn an OpenMP team
//! oversubscribes the machine (measured: 40 receipts took 66 s on 2 cores instead of 18 s).
//! libgomp reads `OMP_THREAD_LIMIT` once, when it is loaded at process start, before `main`
//! runs, so setting the variable from Rust is too late: we re-execute ourselves with it set.
//! glibc reads its tunables (`GLIBC_TUNABLES`) at the same moment, so the same re-execution
//! sets the one malloc setting `mallopt` cannot: transparent huge pages for large blocks
//! (see [`shape_malloc`]). A variable the operator set is left as it is.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;

const OMP: &str = "OMP_THREAD_LIMIT";
const TUNABLES: &str = "GLIBC_TUNABLES";
const HUGE_PAGES: &str = "glibc.malloc.hugetlb";

/// Re-execute this program with OpenMP limited to one thread and huge pages for glibc's large
/// blocks, unless both are already so (or the operator chose otherwise).
pub fn ensure_single_threaded_openmp() {
    let omp_set = std::env::var_os(OMP).is_some_and(|v| v == "1");
    let tunables = std::env::var_os(TUNABLES);
    let huge_set = tunables
        .as_ref()
        .is_some_and(|t| t.to_string_lossy().contains(HUGE_PAGES));
    if omp_set && huge_set {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let mut command = std::process::Command::new(&exe);
    command.arg0(arg0).args(args).env(OMP, "1");
    if !huge_set && cfg!(all(target_os = "linux", target_env = "gnu")) {
        let mut value = tunables.unwrap_or_default();
        if !value.is_empty() {
            value.push(":");
        }
        value.push(OsString::from(format!("{HUGE_PAGES}=1")));
        command.env(TUNABLES, value);
    }
    // `exec` only returns on failure; then we carry on, slower but correct.
    let _ = command.exec();
}

/// One glibc malloc arena per two OCR workers. ONNX Runtime allocates each page's and each
/// batch's tensors afresh (its own arena is off, see `ocr::ppocr`) and glibc keeps what each
/// thread freed in that thread's arena: with an arena per worker, peak memory of `fidelio run`
/// at `-j2` on the 80 SROIE dev receipts moved between 394 and 420 MiB from run to run; with
/// one arena it stays at 330-338 MiB, for 5-8 % more time (13.4-13.8 s against 12.6-12.8 s).
/// Returning freed pages after every receipt (`malloc_trim`) held 327-361 MiB for 11 % more
/// time. Set before any worker starts; other platforms' allocators are left as they are.
///
/// Blocks of [`MMAP_THRESHOLD`] and more are mapped on their own and handed back when freed.
/// glibc's default threshold rises to the largest block freed so far (up to 32 MiB): after the
/// first page, every detection tensor (4-16 MiB) came from the heap, and the holes they left
/// made the heap grow. Mapping blocks afresh costs page faults, which huge pages
/// (`glibc.malloc.hugetlb=1`, set by re-execution) make 512 times fewer. Measured at `-j2`:
///
/// | malloc | hostile corpus, peak (runs) | sroie-dev, 3 alternated runs |
/// |---|---|---|
/// | glibc's default | 256-342 MB (10) | 16.1-17.2 s, 355-368 MB |
/// | 4 MiB, no huge pages | 254-278 MB (3), 25 % slower | |
/// | 8 MiB + huge pages | 258-300 MB (8) | 15.9-16.3 s, 326-335 MB |
/// | **4 MiB + huge pages** | **256-281 MB (10)** | 17.1-17.6 s, 305-321 MB |
///
/// A memory limit exceeded kills the night; 3 % of its time does not: the threshold that
/// keeps the corpus under 300 MB with room to spare was chosen. Where the kernel gives no
/// transparent huge pages (`never`), glibc's default is kept: a quarter slower is too dear.
pub fn shape_malloc(jobs: Option<usize>) {
    let workers = jobs
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    let arenas = (workers / 2).max(1);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a glibc setting; it is called before the workers start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas as libc::c_int);
        if huge_pages_available() {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}

/// Whether the kernel gives transparent huge pages to a program that asks (`always` or
/// `madvise`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn huge_pages_available() -> bool {
    std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
        .is_ok_and(|mode| mode.contains("[always]") || mode.contains("[madvise]"))
}

/// Blocks at least this large are mapped on their own (see [`shape_malloc`]).
pub const MMAP_THRESHOLD: i32 = 4 * 1024 * 1024;
