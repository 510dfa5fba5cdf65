//! `jiancha`: parse the arguments, set up logging, run a headless command or start the console.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    // Every file and directory the program makes is its user's alone (0600/0700).
    jiancha::files::private_by_default();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JIANCHA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,jiancha=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = jiancha::cli::Cli::parse();
    let data_dir = cli.data_dir.clone();
    let user = cli.user.clone();
    let (backend, ca_cert) = (cli.backend.clone(), cli.ca_cert.clone());
    let demo = cli.demo;
    match jiancha::cli::run(cli) {
        Ok(Some(())) => ExitCode::SUCCESS,
        Ok(None) => {
            let dir = data_dir.clone().unwrap_or_else(jiancha::settings::default_data_dir);
            let backend = match jiancha::cli::Ctx::new(dir, user.clone(), backend, ca_cert) {
                Ok(ctx) => ctx.backend,
                Err(failure) => {
                    eprintln!("{}", jiancha::cli::report(&failure));
                    return jiancha::cli::exit_code(&failure);
                }
            };
            console(jiancha::ui::Options::from_cli(data_dir, user, backend, demo))
        }
        Err(failure) => {
            eprintln!("{}", jiancha::cli::report(&failure));
            jiancha::cli::exit_code(&failure)
        }
    }
}

fn console(options: jiancha::ui::Options) -> ExitCode {
    match jiancha::ui::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
