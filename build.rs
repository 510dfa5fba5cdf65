//! Records the commit the program is built from, for `jiancha --version` and `/api/v1/health`:
//! `JIANCHA_COMMIT` when set (a build from a source archive), else `git rev-parse`, else "unknown".

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=JIANCHA_COMMIT");
    let commit = std::env::var("JIANCHA_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=JIANCHA_COMMIT={}", commit.trim());
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn git_commit() -> Option<String> {
    let git_dir = git(&["rev-parse", "--absolute-git-dir"])?;
    // Built again when HEAD moves: a new commit, a checkout of another branch.
    // Only paths that exist: cargo runs the script again on every build for a path that does not (a
    // checkout need not have `packed-refs`, nor a loose file for its branch). A commit rewrites the
    // branch's loose ref or adds one under `refs/heads`, which cargo scans as a directory.
    let git_dir = Path::new(&git_dir);
    let mut watched = vec![git_dir.join("HEAD"), git_dir.join("packed-refs"), git_dir.join("refs").join("heads")];
    if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git_dir.join(head));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}
