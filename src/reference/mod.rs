//! f64 CPU implementation of the physics stages, with the same stage names as the GPU kernels:
//! the test oracle for the GPU, and the compiler's helper for what MuJoCo computes at qpos0
//! (spring lengths, `actuator_acc0`). Written for clarity (dense, per world), not speed.

pub mod actuation;
pub mod com;
pub mod constraint;
pub mod crb;
pub mod forward;
pub mod integrate;
pub mod jacobian;
pub mod kinematics;
pub mod passive;
pub mod rne;
pub mod solver;
pub mod spatial;
pub mod tendon;
pub mod transmission;
pub mod wrap;
