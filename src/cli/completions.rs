//! The `completions` command: a shell completion script on standard output.

use super::Cli;
use clap::{Args, CommandFactory};
use std::process::ExitCode;

#[derive(Args)]
pub struct CompletionsArgs {
    shell: clap_complete::Shell,
}

pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "signalgraph",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
