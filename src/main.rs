//! The `sinew` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// GPU simulator and trainer for MuJoCo-MJCF muscle-driven humanoids.
#[derive(Parser)]
#[command(name = "sinew", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what a model contains and which of its features sinew simulates.
    Info(cli::info::InfoArgs),
    /// Measure steps/s on the GPU (time-boxed), with peers on this machine; --suite for the matrix.
    Bench(cli::bench::BenchArgs),
    /// Run open-loop rollouts on the GPU: controls in, trajectories out (npz).
    Rollout(cli::rollout::RolloutArgs),
    /// List the motions a dataset holds for a model (validated against it).
    Motions(cli::motions::MotionsArgs),
    /// Train a policy with PPO on the GPU (Burn on the simulator's device).
    Train(cli::train::TrainArgs),
    /// Draw a model, a trajectory or a policy into an H.264 MP4 (and/or PNG frames) on the GPU.
    Render(cli::render::RenderArgs),
    /// Watch a model, a trajectory or a policy live in a window (orbit, pause, step, steer).
    View(cli::view::ViewArgs),
    /// Evaluate a checkpoint's deterministic policy.
    Eval(cli::eval::EvalArgs),
    /// Biomechanics of a policy, trajectory or motion: gait cycles, GRF, joint angles, EMG, CoT, synergies.
    Biomech(cli::biomech::BiomechArgs),
    /// Write the motions an imitation policy fails as a new motion set (negative mining).
    Mine(cli::mine::MineArgs),
    /// Plot a run's metrics (metrics.csv → metrics.png).
    Plot(cli::plot::PlotArgs),
    /// Export a checkpoint's policy to ONNX.
    Export(cli::plot::ExportArgs),
    /// List the GPU adapters sinew can use (pick one with SINEW_ADAPTER=index|name).
    Adapters,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info(args) => cli::info::run(&args),
        Command::Bench(args) => cli::bench::run(&args),
        Command::Rollout(args) => cli::rollout::run(&args),
        Command::Motions(args) => cli::motions::run(&args),
        Command::Train(args) => cli::train::run(&args),
        Command::Render(args) => cli::render::run(&args),
        Command::View(args) => cli::view::run(&args),
        Command::Eval(args) => cli::eval::run(&args),
        Command::Biomech(args) => cli::biomech::run(&args),
        Command::Mine(args) => cli::mine::run(&args),
        Command::Plot(args) => cli::plot::plot(&args),
        Command::Export(args) => cli::plot::export(&args),
        Command::Adapters => cli::adapters::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sinew: {e}");
            // Bad input (model files, names, GPU set-up) is exit code 2, like clap's usage errors.
            ExitCode::from(2)
        }
    }
}
