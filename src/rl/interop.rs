//! Burn tensors ↔ the simulator's kernels on one wgpu device, with no host round trip.
//!
//! Burn owns the shared buffers (there is no API to wrap a foreign `wgpu::Buffer` as a tensor):
//! [`bind_tensor`] finds the wgpu buffer range a tensor lives in and pins that allocation so the
//! pool neither frees, reuses nor moves it while a bind group of ours points at it.
//!
//! Ordering (see `../shared/burn_interop.md`): CubeCL records Burn's work into its own encoder and
//! submits it in batches, so [`flush`] must run before every simulator submit that reads or
//! writes a Burn buffer; after our submit nothing is needed, later Burn work is submitted later on
//! the same queue. Everything runs on one thread.

use std::any::Any;

use burn::tensor::{Device, Int, Tensor};
use burn_wgpu::CubeBackend;
use cubecl::wgpu::{AutoCompiler, WgpuServer};

use crate::error::{Error, Result};
use crate::gpu::{GpuContext, GpuSlice};

/// A tensor's wgpu range, with the pin that keeps its allocation in place and a clone of the
/// tensor (so its handle stays alive). Drop it only after the work that uses the range was
/// submitted.
pub struct BoundTensor {
    /// Where the tensor's elements are (contiguous, row-major).
    pub slice: GpuSlice,
    _pin: Box<dyn Any + Send>,
    _keep: Box<dyn Any + Send>,
}

fn pin(t: burn_wgpu::CubeTensor, keep: Box<dyn Any + Send>) -> Result<BoundTensor> {
    // kernels index the range as a dense row-major array: a strided view would be read wrong
    if !t.is_contiguous() {
        return Err(Error::Gpu(
            "cannot bind a non-contiguous Burn tensor (a transposed or sliced view)".into(),
        ));
    }
    let size = (t.meta.shape().num_elements() * 4) as u64;
    let guard = t
        .client
        .get_resource::<WgpuServer<AutoCompiler>>(t.handle.clone())
        .map_err(|e| Error::Gpu(format!("could not reach a Burn tensor's wgpu buffer: {e:?}")))?;
    let r = guard.resource();
    if r.size < size {
        return Err(Error::Gpu(format!("Burn tensor range holds {} bytes, expected {size}", r.size)));
    }
    let slice = GpuSlice { buffer: r.buffer.clone(), offset: r.offset, size };
    Ok(BoundTensor { slice, _pin: Box::new(guard), _keep: keep })
}

/// The wgpu range of a contiguous float tensor (f32 on the wgpu backend; fresh op results are
/// contiguous, views are refused). It must not carry autodiff.
pub fn bind_tensor<const D: usize>(t: &Tensor<D>) -> Result<BoundTensor> {
    let prim = t
        .clone()
        .try_into_primitive::<CubeBackend>()
        .map_err(|e| Error::Gpu(format!("tensor is not on the shared wgpu device: {e:?}")))?;
    pin(prim, Box::new(t.clone()))
}

/// The wgpu range of a contiguous int tensor (i32 on the wgpu backend; u32 flags keep their
/// bits).
pub fn bind_int_tensor<const D: usize>(t: &Tensor<D, Int>) -> Result<BoundTensor> {
    let prim = t
        .clone()
        .try_into_primitive::<CubeBackend>()
        .map_err(|e| Error::Gpu(format!("tensor is not on the shared wgpu device: {e:?}")))?;
    pin(prim, Box::new(t.clone()))
}

/// Hand Burn's queued work to the queue (before a simulator submit touching Burn buffers);
/// counted as a submit.
pub fn flush(ctx: &GpuContext, device: &Device) -> Result<()> {
    ctx.counters.submit();
    device.flush().map_err(|e| Error::Gpu(format!("Burn flush failed: {e:?}")))
}
