//! MPI (rsmpi) distribution of a sweep: rank 0 reads the spec and the results file, hands jobs
//! out one at a time (biggest first) to whichever rank asks, and is the only writer; the other
//! ranks compute. Every rank parses the same spec, so a job travels as its index in the grid
//! (no floating-point parameter is ever re-parsed). Messages are JSON byte strings:
//! `{"ready":true}` or `{"record":…}` to rank 0, `{"job":index}` or `{"stop":true}` back.

use crate::jobs::sweep::{finished_keys, pending, run_job, Job, ResultsFile};
use crate::jobs::JobError;
use mpi::traits::*;
use serde_json::{json, Value};
use std::collections::HashMap;

/// What this process did.
pub enum Role {
    /// a single process: run the sweep locally
    Alone,
    /// rank 0: (skipped, ran, failed)
    Master(usize, usize, usize),
    /// another rank: computed and reported to rank 0
    Worker,
}

/// With more than one MPI rank, runs the sweep across them; with one, returns [`Role::Alone`].
pub fn run_if_parallel(jobs: &[Job], output: &std::path::Path) -> Result<Role, JobError> {
    let Some(universe) = mpi::initialize() else { return Ok(Role::Alone) };
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    if size < 2 {
        return Ok(Role::Alone);
    }
    if rank == 0 {
        // the lock first: no other sweep may read or cut the file while this one decides
        let out = ResultsFile::open(output).map_err(JobError::Usage)?;
        let (done, dropped) = finished_keys(output).map_err(|e| JobError::param("output", e))?;
        if dropped > 0 {
            eprintln!("note: {}: cut a truncated last line ({dropped} bytes); its job runs again", output.display());
        }
        let todo = pending(jobs.to_vec(), &done);
        let skipped = jobs.len() - todo.len();
        let index: HashMap<String, usize> = jobs.iter().enumerate().map(|(i, j)| (j.key(), i)).collect();
        let mut next = todo.into_iter().map(|j| index[&j.key()]);
        let (mut active, mut ran, mut failed) = (size - 1, 0, 0);
        while active > 0 {
            let (msg, status) = world.any_process().receive_vec::<u8>();
            let v: Value = serde_json::from_slice(&msg).unwrap_or(Value::Null);
            if let Some(rec) = v.get("record") {
                out.append(rec).map_err(|e| JobError::Usage(format!("writing the results file: {e}")))?;
                ran += 1;
                if !rec["error"].is_null() {
                    failed += 1;
                }
            }
            let reply = match next.next() {
                Some(i) => json!({ "job": i }),
                None => {
                    active -= 1;
                    json!({"stop": true})
                }
            };
            world.process_at_rank(status.source_rank()).send(reply.to_string().as_bytes());
        }
        Ok(Role::Master(skipped, ran, failed))
    } else {
        let root = world.process_at_rank(0);
        root.send(json!({"ready": true}).to_string().as_bytes());
        loop {
            let (msg, _) = root.receive_vec::<u8>();
            let v: Value = serde_json::from_slice(&msg).unwrap_or(Value::Null);
            let Some(job) = v.get("job").and_then(|i| i.as_u64()).and_then(|i| jobs.get(i as usize)) else {
                break;
            };
            let rec = run_job(job, rank);
            root.send(json!({"record": rec}).to_string().as_bytes());
        }
        Ok(Role::Worker)
    }
}

/// The ranks of `MPI_COMM_WORLD` sharing one free-fermion Fisher job
/// (see `onsager_transfer::streaming::Partition`).
pub struct MpiPartition {
    world: mpi::topology::SimpleCommunicator,
}

impl MpiPartition {
    /// Wraps the world communicator.
    pub fn new(world: mpi::topology::SimpleCommunicator) -> Self {
        MpiPartition { world }
    }
}

impl onsager_transfer::streaming::Partition for MpiPartition {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }
    fn size(&self) -> usize {
        self.world.size() as usize
    }
    fn all_sum(&self, x: &mut [f64]) {
        use mpi::collective::SystemOperation;
        // MPI counts are 32-bit: reduce in chunks of 2^26 doubles (512 MiB)
        for chunk in x.chunks_mut(1 << 26) {
            let local = chunk.to_vec();
            self.world.all_reduce_into(&local[..], chunk, SystemOperation::sum());
        }
    }
}
