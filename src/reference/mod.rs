//! f64 CPU implementation of the physics stages, with the same stage names as the GPU kernels:
//! the test oracle for the GPU and the compiler's helper for values MuJoCo computes at qpos0.

pub mod kinematics;
pub mod tendon;
pub mod wrap;
