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

fn pin<P: Into<burn_wgpu::CubeTensor>>(
    primitive: P,
    elements: usize,
    keep: Box<dyn Any + Send>,
) -> Result<BoundTensor> {
    let t: burn_wgpu::CubeTensor = primitive.into();
    let guard = t
        .client
        .get_resource::<WgpuServer<AutoCompiler>>(t.handle.clone())
        .map_err(|e| Error::Gpu(format!("could not reach a Burn tensor's wgpu buffer: {e:?}")))?;
    let r = guard.resource();
    let size = (elements * 4) as u64;
    if r.size < size {
        return Err(Error::Gpu(format!("Burn tensor range holds {} bytes, expected {size}", r.size)));
    }
    let slice = GpuSlice { buffer: r.buffer.clone(), offset: r.offset, size };
    Ok(BoundTensor { slice, _pin: Box::new(guard), _keep: keep })
}

/// The wgpu range of a float tensor (made contiguous first if it is a view; f32 on the wgpu
/// backend). It must not carry autodiff.
pub fn bind_tensor<const D: usize>(t: &Tensor<D>) -> Result<BoundTensor> {
    let elements = t.shape().num_elements();
    let t = contiguous(t.clone());
    let prim = t
        .clone()
        .try_into_primitive::<CubeBackend>()
        .map_err(|e| Error::Gpu(format!("tensor is not on the shared wgpu device: {e:?}")))?;
    pin(prim, elements, Box::new(t))
}

/// The wgpu range of an int tensor (i32 on the wgpu backend; u32 flags keep their bits).
pub fn bind_int_tensor<const D: usize>(t: &Tensor<D, Int>) -> Result<BoundTensor> {
    let elements = t.shape().num_elements();
    let prim = t
        .clone()
        .try_into_primitive::<CubeBackend>()
        .map_err(|e| Error::Gpu(format!("tensor is not on the shared wgpu device: {e:?}")))?;
    pin(prim, elements, Box::new(t.clone()))
}

// A freshly computed tensor is contiguous; a transposed or sliced view is copied into one.
fn contiguous<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let shape = t.shape();
    t.reshape(shape)
}

/// Hand Burn's queued work to the queue (before a simulator submit touching Burn buffers);
/// counted as a submit.
pub fn flush(ctx: &GpuContext, device: &Device) -> Result<()> {
    ctx.counters.submit();
    device.flush().map_err(|e| Error::Gpu(format!("Burn flush failed: {e:?}")))
}
