namespace McpOrch.Bench.Processes;

/// <param name="CpuTicks">utime + stime of all the process's threads, in kernel clock ticks.</param>
public sealed record ProcessStat(int Pid, int ParentPid, long CpuTicks);
