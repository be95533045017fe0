package dev.loomcluster.benchmarks.net;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's CPU time at one moment: the total from {@link com.sun.management.OperatingSystemMXBean}
 * (nanoseconds) and, on Linux, the user/system split from {@code /proc/self/stat} (clock ticks; -1
 * elsewhere). Immutable; any thread.
 *
 * @param totalNanos process CPU time, user and system
 * @param userTicks  user time in clock ticks, or -1
 * @param sysTicks   system time in clock ticks, or -1
 */
record ProcessCpu(long totalNanos, long userTicks, long sysTicks) {

    static ProcessCpu now() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long user = -1;
        long sys = -1;
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command (which may hold spaces) in parentheses: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            user = Long.parseLong(f[11]);
            sys = Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            // not Linux: no split
        }
        return new ProcessCpu(total, user, sys);
    }

    /** CPU microseconds from {@code before} to this. */
    double micros(ProcessCpu before) {
        return (totalNanos - before.totalNanos) / 1e3;
    }

    /** The system (kernel) share of the CPU time from {@code before} to this, 0 to 1; NaN if unknown. */
    double sysShare(ProcessCpu before) {
        if (userTicks < 0 || before.userTicks < 0) {
            return Double.NaN;
        }
        long user = userTicks - before.userTicks;
        long sys = sysTicks - before.sysTicks;
        return user + sys == 0 ? Double.NaN : (double) sys / (user + sys);
    }
}
