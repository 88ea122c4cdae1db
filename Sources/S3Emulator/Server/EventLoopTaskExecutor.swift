import NIOCore

/// Runs a task's jobs on one event loop: a connection's task, given this as its executor
/// preference, runs on the loop that does its channel's I/O.
///
/// Without it the task runs wherever the global executor puts it (under `s3emu serve`, which
/// makes the event loops the global executor, whichever loop is next when it resumes from the
/// I/O threads), and each write to the channel, and each resumption after a storage call, wakes a
/// second thread: a sequential PUT crossed three threads instead of two.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
