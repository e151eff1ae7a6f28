namespace Optimizer.Runtime.Tests;

/// <summary>Tests that attach process-wide meter or activity listeners: they run with no other test beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideListenersCollection
{
    public const string Name = "Process-wide listeners";
}
