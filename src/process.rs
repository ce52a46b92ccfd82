//! Process setup before any worker starts: Tesseract's OpenMP kept to one thread per worker,
//! and glibc's malloc arenas shared between workers.
//!
//! fidelio already runs one Tesseract per core; letting each one also spawn an OpenMP team
//! oversubscribes the machine (measured: 40 receipts took 66 s on 2 cores instead of 18 s).
//! libgomp reads `OMP_THREAD_LIMIT` once, when it is loaded at process start, before `main`
//! runs, so setting the variable from Rust is too late: we re-execute ourselves with it set.

use std::os::unix::process::CommandExt;

const VAR: &str = "OMP_THREAD_LIMIT";

pub fn ensure_single_threaded_openmp() {
    if std::env::var_os(VAR).is_some_and(|v| v == "1") {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // `exec` only returns on failure; then we carry on, slower but correct.
    let _ = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env(VAR, "1")
        .exec();
}

/// One glibc malloc arena per two OCR workers. ONNX Runtime allocates each page's and each
/// batch's tensors afresh (its own arena is off, see `ocr::ppocr`) and glibc keeps what each
/// thread freed in that thread's arena: with an arena per worker, peak memory of `fidelio run`
/// at `-j2` on the 80 SROIE dev receipts moved between 394 and 420 MiB from run to run; with
/// one arena it stays at 330-338 MiB, for 5-8 % more time (13.4-13.8 s against 12.6-12.8 s).
/// Returning freed pages after every receipt (`malloc_trim`) held 327-361 MiB for 11 % more
/// time. Set before any worker starts; other platforms' allocators are left as they are.
pub fn limit_malloc_arenas(jobs: Option<usize>) {
    let workers = jobs
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    let arenas = (workers / 2).max(1);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a glibc setting; it is called before the workers start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas as libc::c_int);
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}
