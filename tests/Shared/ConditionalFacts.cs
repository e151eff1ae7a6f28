namespace Optimizer.Tests.Shared;

/// <summary>
/// Facts that need Linux (FIFOs, hard links, /proc): reported as skipped, with the reason, elsewhere,
/// never as passed. Linked into every test project with the rest of tests/Shared.
/// </summary>
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (FIFOs, hard links, /proc and /dev behave as tested only there)";
        }
    }
}

/// <summary>The theory form of <see cref="LinuxFactAttribute"/>.</summary>
internal sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (FIFOs, hard links, /proc and /dev behave as tested only there)";
        }
    }
}
