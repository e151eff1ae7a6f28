using System.CommandLine;
using System.Globalization;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Verification;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>verify &lt;original&gt; &lt;optimized&gt; [--data x.npz [--labels y.npy]] [--dim name=size] [--max-drop 0.01] [--min-cosine 0.99]</c>:
/// the accuracy comparison of <c>[AccuracyBudget]</c> (top-1 and agreement for classification
/// outputs; max abs error, SQNR and per-sample cosine min/mean for every output, pooled for encoders),
/// through the engine's Verification code.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(ToolContext context)
    {
        var original = new Argument<string>("original") { Description = "The reference model." };
        var optimized = new Argument<string>("optimized") { Description = "The model to compare with it." };
        var data = new ComparisonOptions();
        var maxDrop = new Option<double?>("--max-drop") { Description = "Fail (exit 1, OPT1067) when the drop exceeds this fraction (top-1 drop with labels, else 1 − agreement, else 1 − cosine), like [AccuracyBudget] MaxDrop." };
        var minCosine = new Option<double?>("--min-cosine") { Description = "Fail (exit 1, OPT1067) when an output's worst per-sample cosine (pooled for encoders) is below this, like [AccuracyBudget] MinCosine." };
        var command = new Command("verify", "Run two models on the same inputs and compare their outputs (and top-1 accuracy with labels).")
        {
            original, optimized, maxDrop, minCosine,
        };
        foreach (var option in data.All)
            command.Options.Add(option);
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var (inputs, labels, dims) = data.Read(parse);
            var drop = parse.GetValue(maxDrop);
            if (drop is { } b && (b < 0 || b >= 1 || double.IsNaN(b)))
                throw new EngineException(EngineErrorCodes.Usage, $"--max-drop must be a fraction in [0, 1) (0.01 = one percentage point), not {b.ToString(CultureInfo.InvariantCulture)}.");
            var cosine = parse.GetValue(minCosine);
            if (cosine is { } c && !(c >= 0 && c <= 1))
                throw new EngineException(EngineErrorCodes.Usage, $"--min-cosine must be in [0, 1] (0.99 = outputs within about 8° of the original's), not {c.ToString(CultureInfo.InvariantCulture)}.");
            var budget = new AccuracyBudgetSettings(drop, cosine is > 0 ? cosine : null, null, null, null);

            var a = parse.GetRequiredValue(original);
            var o = parse.GetRequiredValue(optimized);
            var result = context.Status(parse, "Running both models…", () => ModelComparison.Compare(a, o, inputs, labels, dims));
            var holds = budget.Holds(result);
            if (context.Json(parse))
                context.WriteJson(ToJson(result, budget, holds));
            else
                Render(context.Console, result, budget);
            if (holds)
                return ExitCodes.Success;
            context.Stderr.WriteLine(ErrorLines.Format(EngineErrorCodes.VerifyBudgetExceeded,
                $"{o}: against '{a}', the {budget.DescribeMiss(result).Replace("[AccuracyBudget] MaxDrop", "--max-drop").Replace("[AccuracyBudget] MinCosine", "--min-cosine")}.",
                new DiagnosticLocation(Path.GetFullPath(o))));
            return ExitCodes.Failure;
        }));
        return command;
    }

    internal static object ToJson(FidelityResult r, AccuracyBudgetSettings budget, bool holds) => new
    {
        source = r.Source,
        samples = r.SampleCount,
        generated = r.IsGenerated,
        classificationOutput = r.ClassificationOutput,
        top1Original = r.Top1Original,
        top1Optimized = r.Top1Optimized,
        agreement = r.Agreement,
        drop = r.Drop,
        dropKind = r.DropKind,
        maxDrop = budget.MaxDrop,
        withinMaxDrop = budget.MaxDrop is null ? (bool?)null : budget.HoldsDrop(r),
        minCosine = budget.MinCosine,
        withinMinCosine = budget.MinCosine is null ? (bool?)null : budget.HoldsCosine(r),
        withinBudget = holds,
        outputs = r.Outputs.Select(o => new
        {
            name = o.Name,
            maxAbsError = o.MaxAbsError,
            cosine = o.Cosine,
            cosineMin = o.CosineMin,
            cosineMean = o.CosineMean,
            pooledCosineMin = o.PooledCosineMin,
            pooledCosineMean = o.PooledCosineMean,
            sqnrDb = o.SqnrDb,
        }),
    };

    private static void Render(IAnsiConsole console, FidelityResult r, AccuracyBudgetSettings budget)
    {
        console.WriteLine($"Compared on {r.SourceText}.");
        if (r.Top1Original is { } before && r.Top1Optimized is { } after)
            console.WriteLine(Invariant($"top-1: {before:P2} → {after:P2}"));
        if (r.Agreement is { } agreement)
            console.WriteLine(Invariant($"agreement with the original (same arg-max on '{r.ClassificationOutput}'): {agreement:P2}"));
        console.WriteLine($"drop: {r.DescribeDrop()}{(budget.MaxDrop is { } m ? Invariant($" (max {m:0.0##%})") : "")}");
        console.WriteLine($"worst cosine: {r.DescribeCosine()}{(budget.MinCosine is { } c ? Invariant($" (min {c:0.0#####})") : "")}");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("output")
            .AddColumn(new TableColumn("max |Δ|").RightAligned()).AddColumn(new TableColumn("SQNR (dB)").RightAligned())
            .AddColumn(new TableColumn("cosine min").RightAligned()).AddColumn(new TableColumn("cosine mean").RightAligned())
            .AddColumn(new TableColumn("pooled cos min").RightAligned()).AddColumn(new TableColumn("pooled cos mean").RightAligned());
        foreach (var o in r.Outputs)
        {
            table.AddRow(Markup.Escape(o.Name), o.MaxAbsError.ToString("G4", CultureInfo.InvariantCulture),
                double.IsPositiveInfinity(o.SqnrDb) ? "∞" : o.SqnrDb.ToString("0.0", CultureInfo.InvariantCulture),
                Cosine(o.CosineMin), Cosine(o.CosineMean), Cosine(o.PooledCosineMin), Cosine(o.PooledCosineMean));
        }

        console.Write(table);
    }

    private static string Cosine(double? value) => value?.ToString("0.000000", CultureInfo.InvariantCulture) ?? "–";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
