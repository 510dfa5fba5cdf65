//! Printing through the system: CUPS `lp` on Linux, with the printer picked from the configured queues.
//! Both calls run programs and wait for them: never on the UI thread.

use std::path::Path;
use std::process::Command;

/// The print queues CUPS knows (`lpstat -e`); empty when CUPS is not installed or not running.
pub fn printers() -> Vec<String> {
    match Command::new("lpstat").arg("-e").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The command that prints `file` (for showing and for tests where no CUPS server runs).
pub fn command(file: &Path, printer: Option<&str>) -> Vec<String> {
    let mut args = vec!["lp".to_owned()];
    if let Some(p) = printer {
        args.push("-d".into());
        args.push(p.to_owned());
    }
    args.push("-t".into());
    args.push(file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    args.push("--".into());
    args.push(file.display().to_string());
    args
}

/// Sends `file` to a printer; returns what `lp` said (the request id).
pub fn print(file: &Path, printer: Option<&str>) -> Result<String, String> {
    let args = command(file, printer);
    let out = Command::new(&args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("无法运行 lp（请安装 cups-client）: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!("打印失败: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}
