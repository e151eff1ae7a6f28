using System.CommandLine;
using System.Globalization;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Verification;
using Optimizer.Tool.Output;
using Spectre.Console;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>verify &lt;original&gt; &lt;optimized&gt; [--validation x.npy [--labels y.npy]] [--max-drop 0.01]</c>:
/// the accuracy comparison of <c>[AccuracyBudget]</c> (top-1 and agreement for classification
/// outputs; max abs error, cosine and SQNR for every output), through the engine's Verification code.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(ToolContext context)
    {
        var original = new Argument<string>("original") { Description = "The reference model." };
        var optimized = new Argument<string>("optimized") { Description = "The model to compare with it." };
        var validation = new Option<string?>("--validation") { Description = "Validation inputs: .npy (float32, samples first) or raw float32 samples of the input's size. Default: 32 generated samples." };
        var labels = new Option<string?>("--labels") { Description = "Labels of the validation samples: .npy integers or raw uint8, one per sample." };
        var maxDrop = new Option<double?>("--max-drop") { Description = "Fail (exit 1, OPT1067) when the drop exceeds this fraction (top-1 drop with labels, else 1 − agreement, else 1 − cosine), like [AccuracyBudget] MaxDrop." };
        var command = new Command("verify", "Run two models on the same inputs and compare their outputs (and top-1 accuracy with labels).")
        {
            original, optimized, validation, labels, maxDrop,
        };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            if (parse.GetValue(labels) is not null && parse.GetValue(validation) is null)
                throw new EngineException(EngineErrorCodes.Usage, "--labels labels the --validation samples; give --validation too.");
            var budget = parse.GetValue(maxDrop);
            if (budget is { } b && (b < 0 || b >= 1 || double.IsNaN(b)))
                throw new EngineException(EngineErrorCodes.Usage, $"--max-drop must be a fraction in [0, 1) (0.01 = one percentage point), not {b.ToString(CultureInfo.InvariantCulture)}.");

            var a = parse.GetRequiredValue(original);
            var o = parse.GetRequiredValue(optimized);
            var result = context.Status(parse, "Running both models…", () => ModelComparison.Compare(a, o, parse.GetValue(validation), parse.GetValue(labels)));
            var exceeded = budget is { } limit && result.Drop > limit + 1e-9;
            if (context.Json(parse))
                context.WriteJson(ToJson(result, budget, exceeded));
            else
                Render(context.Console, result, budget);
            if (!exceeded)
                return ExitCodes.Success;
            context.Stderr.WriteLine(CanonicalError.Format(EngineErrorCodes.VerifyBudgetExceeded,
                $"{o}: the drop against '{a}', {result.DescribeDrop()}, exceeds --max-drop {budget!.Value.ToString("0.0##%", CultureInfo.InvariantCulture)}.",
                new DiagnosticLocation(Path.GetFullPath(o))));
            return ExitCodes.Failure;
        }));
        return command;
    }

    internal static object ToJson(FidelityResult r, double? maxDrop, bool exceeded) => new
    {
        source = r.Source,
        samples = r.SampleCount,
        classificationOutput = r.ClassificationOutput,
        top1Original = r.Top1Original,
        top1Optimized = r.Top1Optimized,
        agreement = r.Agreement,
        drop = r.Drop,
        dropKind = r.DropKind,
        maxDrop,
        withinMaxDrop = maxDrop is null ? (bool?)null : !exceeded,
        outputs = r.Outputs.Select(o => new { name = o.Name, maxAbsError = o.MaxAbsError, cosine = o.Cosine, sqnrDb = o.SqnrDb }),
    };

    private static void Render(IAnsiConsole console, FidelityResult r, double? maxDrop)
    {
        console.WriteLine($"Compared on {r.Source}.");
        if (r.Top1Original is { } before && r.Top1Optimized is { } after)
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-1: {before:P2} → {after:P2}"));
        if (r.Agreement is { } agreement)
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"agreement with the original (same arg-max on '{r.ClassificationOutput}'): {agreement:P2}"));
        console.WriteLine($"drop: {r.DescribeDrop()}{(maxDrop is { } m ? string.Create(CultureInfo.InvariantCulture, $" (max {m:0.0##%})") : "")}");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("output")
            .AddColumn(new TableColumn("max |Δ|").RightAligned()).AddColumn(new TableColumn("cosine").RightAligned()).AddColumn(new TableColumn("SQNR (dB)").RightAligned());
        foreach (var o in r.Outputs)
        {
            table.AddRow(Markup.Escape(o.Name), o.MaxAbsError.ToString("G4", CultureInfo.InvariantCulture), o.Cosine.ToString("0.000000", CultureInfo.InvariantCulture),
                double.IsPositiveInfinity(o.SqnrDb) ? "∞" : o.SqnrDb.ToString("0.0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }
}
