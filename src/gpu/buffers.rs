//! Buffer helpers: create storage buffers from host slices and read buffers back.

use wgpu::util::DeviceExt;

use super::GpuContext;
use crate::error::{Error, Result};

impl GpuContext {
    /// A storage buffer initialised from `data`. An empty array gets one zeroed element, so it
    /// stays bindable as `array<T>` (WGSL needs room for at least one element).
    pub fn storage_from<T: bytemuck::Pod>(&self, label: &str, data: &[T]) -> wgpu::Buffer {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let padded;
        let contents = if data.is_empty() {
            padded = vec![0u8; std::mem::size_of::<T>().max(4)];
            &padded[..]
        } else {
            bytes
        };
        self.log_allocation(label, contents.len() as u64);
        self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        })
    }

    /// A uniform buffer holding one value.
    pub fn uniform_from<T: bytemuck::Pod>(&self, label: &str, value: &T) -> wgpu::Buffer {
        self.log_allocation(label, std::mem::size_of::<T>() as u64);
        self.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytemuck::bytes_of(value),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
        })
    }

    /// Three zeroed u32 a shader writes (storage) and an indirect dispatch reads (x, y, z
    /// workgroups).
    pub fn indirect_args(&self, label: &str) -> wgpu::Buffer {
        self.log_allocation(label, 12);
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: 12,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::INDIRECT | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// A zeroed storage buffer of `len` elements of `T` (at least one, so it stays bindable).
    pub fn storage_zeroed<T: bytemuck::Pod>(&self, label: &str, len: usize) -> wgpu::Buffer {
        let size = ((len.max(1) * std::mem::size_of::<T>()).max(4) as u64).next_multiple_of(4);
        self.log_allocation(label, size);
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Run `build` and return what it made together with every buffer it allocated through this
    /// context, as (label, bytes) in creation order. Used to size a world count before
    /// allocating it ([`crate::sim::footprint::Footprint`]).
    pub fn log_allocations<T>(&self, build: impl FnOnce() -> T) -> (T, Vec<(String, u64)>) {
        let lock = || self.allocation_log.lock().unwrap_or_else(|p| p.into_inner());
        let previous = lock().replace(Vec::new());
        let out = build();
        let log = std::mem::replace(&mut *lock(), previous).unwrap_or_default();
        (out, log)
    }

    fn log_allocation(&self, label: &str, bytes: u64) {
        if let Some(log) = self.allocation_log.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            log.push((label.to_string(), bytes));
        }
    }

    /// Copy `len` elements of `T` from the start of `buffer` back to the host (blocks).
    pub fn download<T: bytemuck::Pod>(&self, buffer: &wgpu::Buffer, len: usize) -> Result<Vec<T>> {
        self.download_at(buffer, 0, len)
    }

    /// Copy `len` elements of `T` from byte `offset` of `buffer` back to the host (blocks).
    pub fn download_at<T: bytemuck::Pod>(
        &self,
        buffer: &wgpu::Buffer,
        offset: u64,
        len: usize,
    ) -> Result<Vec<T>> {
        let size = (len * std::mem::size_of::<T>()) as u64;
        if size == 0 {
            return Ok(Vec::new());
        }
        if offset + size > buffer.size() {
            return Err(Error::Gpu(format!(
                "download of {size} bytes at {offset} from a {}-byte buffer",
                buffer.size()
            )));
        }
        self.counters.readback();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: size.next_multiple_of(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc =
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
        enc.copy_buffer_to_buffer(buffer, offset, &staging, 0, size.next_multiple_of(4));
        self.queue.submit([enc.finish()]);
        self.read_mapped(&staging, size)
    }

    /// Wait for the queue, map the first `size` bytes of `staging` (a MAP_READ buffer the
    /// submitted work copies into), copy them out as `T`s and unmap it again for reuse.
    pub fn read_mapped<T: bytemuck::Pod>(&self, staging: &wgpu::Buffer, size: u64) -> Result<Vec<T>> {
        let slice = staging.slice(..size.next_multiple_of(4));
        let (tx, rx) = flume::bounded(1);
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        rx.recv()
            .map_err(|_| Error::Gpu("readback callback never ran".into()))?
            .map_err(|e| Error::Gpu(format!("readback failed: {e}")))?;
        let view = slice.get_mapped_range().map_err(|e| Error::Gpu(format!("readback map failed: {e}")))?;
        let out = bytemuck::cast_slice::<u8, T>(&view[..size as usize]).to_vec();
        drop(view);
        staging.unmap();
        Ok(out)
    }
}
