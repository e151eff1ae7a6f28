namespace Optimizer.Tests.Shared;

/// <summary>
/// Bytes a call allocates on the calling thread once warm. A window of calls can catch a one-off
/// allocation of the runtime itself (a tier-up or a lazily created cache, seen under load), so up
/// to three windows are measured and the smallest counts: an allocation on every call shows in
/// all three, a one-off in at most one.
/// </summary>
internal static class SteadyStateAllocation
{
    public static long PerCall(Action call, int callsPerWindow = 50)
    {
        call();
        var smallest = long.MaxValue;
        for (var window = 0; window < 3 && smallest != 0; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < callsPerWindow; i++)
            {
                call();
            }

            // Rounded up: an allocation every few calls is not averaged away to 0.
            smallest = Math.Min(smallest, (GC.GetAllocatedBytesForCurrentThread() - before + callsPerWindow - 1) / callsPerWindow);
        }

        return smallest;
    }
}
