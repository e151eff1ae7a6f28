namespace Optimizer.Hostile.Tests;

/// <summary>
/// When HOSTILE_RESULTS names a file, each case appends "category, case, pass|fail, problems" to it as a tab-separated
/// line, so a run can be summed per category (the integration checklist); without it nothing is written.
/// </summary>
internal static class ResultLog
{
    private static readonly object Gate = new();

    public static void Write(HostileCase hostileCase, IReadOnlyList<string> problems)
    {
        if (Environment.GetEnvironmentVariable("HOSTILE_RESULTS") is not { Length: > 0 } path)
            return;
        var line = $"{hostileCase.Category}\t{hostileCase.Name}\t{(problems.Count == 0 ? "pass" : "fail")}\t{string.Join("; ", problems).ReplaceLineEndings(" ")}\n";
        lock (Gate)
            File.AppendAllText(path, line);
    }
}
