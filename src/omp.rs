//! Keeping Tesseract's OpenMP to one thread per worker.
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
