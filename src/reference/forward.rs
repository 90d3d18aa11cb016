//! The smooth step for one world, as a plain list of stage calls (MuJoCo's mj_forward + mj_Euler
//! with constraints disabled), in f64: the oracle the GPU step is tested against.

use super::actuation::{Actuation, actuation};
use super::com::{Com, com};
use super::crb::{mass_matrix, solve_spd};
use super::kinematics::{Frames, kinematics};
use super::passive::passive;
use super::rne::{com_vel, rne};
use super::tendon::tendon;
use super::transmission::transmission;
use crate::error::{Error, Result};
use crate::model::Model;

/// Everything the smooth stages compute for one state.
#[derive(Debug, Clone)]
pub struct Forward {
    /// Poses.
    pub frames: Frames,
    /// Centre-of-mass quantities.
    pub com: Com,
    /// (ntendon) Tendon lengths.
    pub ten_length: Vec<f64>,
    /// (ntendon × nv) Tendon Jacobians.
    pub ten_j: Vec<Vec<f64>>,
    /// (ntendon) Tendon velocities.
    pub ten_velocity: Vec<f64>,
    /// (nu) Actuator lengths.
    pub actuator_length: Vec<f64>,
    /// (nu × nv) Actuator moments, dense.
    pub actuator_moment: Vec<f64>,
    /// (nu) Actuator velocities.
    pub actuator_velocity: Vec<f64>,
    /// (nv × nv) Joint-space inertia with armature, dense.
    pub qm: Vec<f64>,
    /// (nv) Coriolis/centrifugal/gravity bias.
    pub qfrc_bias: Vec<f64>,
    /// (nv) Passive forces.
    pub qfrc_passive: Vec<f64>,
    /// Activation rates and actuator forces.
    pub actuation: Actuation,
    /// (nv) Acceleration (constraints disabled).
    pub qacc: Vec<f64>,
}

/// Evaluate every smooth stage at (qpos, qvel, act, ctrl).
pub fn forward(m: &Model, qpos: &[f64], qvel: &[f64], act: &[f64], ctrl: &[f64]) -> Result<Forward> {
    let frames = kinematics(m, qpos);
    let c = com(m, &frames);
    let (ten_length, ten_j): (Vec<f64>, Vec<Vec<f64>>) =
        (0..m.ntendon).map(|t| tendon(m, t, qpos, &frames)).unzip();
    let dotv = |row: &[f64]| -> f64 { row.iter().zip(qvel).map(|(a, b)| a * b).sum() };
    let ten_velocity: Vec<f64> = ten_j.iter().map(|r| dotv(r)).collect();
    let (actuator_length, actuator_moment) = transmission(m, qpos);
    let actuator_velocity: Vec<f64> =
        (0..m.nu).map(|u| dotv(&actuator_moment[u * m.nv..(u + 1) * m.nv])).collect();
    let qm = mass_matrix(m, &frames);
    let (cvel, cdof_dot) = com_vel(m, &c, qvel);
    let qfrc_bias = rne(m, &c, qvel, &cvel, &cdof_dot);
    let qfrc_passive = passive(m, qpos, qvel, &ten_length, &ten_velocity, &ten_j);
    let actuation = actuation(m, ctrl, act, &actuator_length, &actuator_velocity, &actuator_moment);
    let rhs: Vec<f64> =
        (0..m.nv).map(|d| qfrc_passive[d] + actuation.qfrc_actuator[d] - qfrc_bias[d]).collect();
    let qacc =
        solve_spd(&qm, &rhs).ok_or_else(|| Error::Model("mass matrix is not positive-definite".into()))?;
    Ok(Forward {
        frames,
        com: c,
        ten_length,
        ten_j,
        ten_velocity,
        actuator_length,
        actuator_moment,
        actuator_velocity,
        qm,
        qfrc_bias,
        qfrc_passive,
        actuation,
        qacc,
    })
}

/// One step (forward, then Euler) in place; returns what the step computed from the old state.
pub fn step(m: &Model, qpos: &mut [f64], qvel: &mut [f64], act: &mut [f64], ctrl: &[f64]) -> Result<Forward> {
    let fw = forward(m, qpos, qvel, act, ctrl)?;
    super::integrate::euler(m, qpos, qvel, act, &fw.qacc, &fw.actuation.act_dot, &fw.qm)?;
    Ok(fw)
}

/// One step with constraints (equalities and limits; contacts not yet): the smooth stages, the
/// constraint rows, the convex solve for qacc, then Euler. Returns the rows' count.
pub fn step_constrained(
    m: &Model,
    qpos: &mut [f64],
    qvel: &mut [f64],
    act: &mut [f64],
    ctrl: &[f64],
) -> Result<usize> {
    let mut fw = forward(m, qpos, qvel, act, ctrl)?;
    let ten: Vec<(f64, Vec<f64>)> = fw.ten_length.iter().copied().zip(fw.ten_j.iter().cloned()).collect();
    let rows = super::constraint::make_constraint(m, qpos, qvel, &ten);
    if !rows.is_empty() {
        fw.qacc = super::solver::solve(&fw.qm, &fw.qacc, &rows, m.opt.iterations.max(100), 1e-14)
            .ok_or_else(|| Error::Model("constraint Hessian is not positive-definite".into()))?;
    }
    super::integrate::euler(m, qpos, qvel, act, &fw.qacc, &fw.actuation.act_dot, &fw.qm)?;
    Ok(rows.len())
}
