using System.Globalization;
using Optimizer.Engine.Benchmarking;
using Optimizer.Passes.Data;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary><c>bench --profile</c>: where each compiled row's time goes (<see cref="StepProfile"/>), as tables.</summary>
internal static class BenchProfile
{
    /// <summary>Slowest steps listed.</summary>
    private const int TopSteps = 12;

    /// <summary>Profiles every compiled row of <paramref name="bench"/> at <paramref name="feed"/>, each for about <paramref name="budget"/> (the timing's <c>--duration</c>).</summary>
    public static IReadOnlyList<(string Label, StepProfile Profile)> Measure(BenchResult bench, Feed feed, TimeSpan budget) =>
        bench.Programs.Select(p => (p.Label, StepProfile.Measure(p.Label, p.Program, feed, budget))).ToList();

    public static void Render(IAnsiConsole console, string label, StepProfile profile)
    {
        string Ms(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms";
        string Share(double ms) => (ms / profile.TotalMs).ToString("0.0%", CultureInfo.InvariantCulture);
        console.WriteLine($"Where {label}'s time goes ({Ms(profile.TotalMs)} per run in its steps):");
        var kinds = new Table().Border(TableBorder.Rounded).AddColumn("step kind").AddColumn(new TableColumn("steps").RightAligned())
            .AddColumn(new TableColumn("per run").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        foreach (var k in profile.Kinds)
            kinds.AddRow(k.Kind.ToString(), k.Steps.ToString(CultureInfo.InvariantCulture), Ms(k.Ms), Share(k.Ms));
        console.Write(kinds);
        var steps = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("step").RightAligned()).AddColumn("kind").AddColumn("node")
            .AddColumn(new TableColumn("per run").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
        foreach (var s in profile.Steps.Take(TopSteps))
            steps.AddRow(s.Index.ToString(CultureInfo.InvariantCulture), s.Kind.ToString(), Markup.Escape(s.Node), Ms(s.Ms), Share(s.Ms));
        console.Write(steps);
    }
}
