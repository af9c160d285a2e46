public import Causality
public import Replica

extension Replica {
    /// Builds Dana's demo replica at `path` (see ``DemoGenerator``), applying the history in
    /// batches through the normal apply path. `progress` gets (ops applied, ops in all).
    public static func buildDemo(at path: String?, options: DemoOptions, clock: any PhysicalClock = SystemClock(),
                                 progress: (Int, Int) -> Void = { _, _ in }) throws(ReplicaError) -> Replica {
        let replica = if let path {
            try Replica.create(at: path, identity: DemoWorld.laptopIdentity, clock: clock)
        } else {
            try Replica.inMemory(identity: DemoWorld.laptopIdentity, clock: clock)
        }
        var generator = DemoGenerator(options)
        let total = generator.totalOps
        var done = 0
        while let batch = generator.nextBatch(max: 5_000) {
            let report = try replica.apply(batch)
            guard report.held == 0, report.duplicates == 0 else {
                throw ReplicaError(.corrupt, "demo history is not causally ordered (held \(report.held))")
            }
            done += batch.count
            progress(done, total)
        }
        // As a device after its first sync (SyncClient merges the index once caught up).
        try replica.mergeSearchIndex()
        return replica
    }
}
