using System.CommandLine;
using Optimizer.Engine.Commands;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes.Schema;
using Optimizer.Tool.Output;
using Spectre.Console;
using EngineOptimize = Optimizer.Engine.Commands.OptimizeCommand;

namespace Optimizer.Tool.Commands;

/// <summary>
/// <c>optimize &lt;model&gt; [-o out.onnx] [--pass Pass:Option=value,...]...</c> or <c>optimize --plan file.plan.json</c>.
/// The plan is made by the engine's own <see cref="CommandLinePlan"/> (or read by its <see cref="PlanReader"/>)
/// and run by the engine's <see cref="EngineOptimize.Optimize"/>: the options are the attributes' names
/// and values, and the bytes written are the ones a build writes for the same plan.
/// </summary>
internal static class OptimizeCommand
{
    public static Command Create(ToolContext context)
    {
        var model = new Argument<string?>("model") { Description = "The ONNX model to optimize (or give --plan).", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o") { Description = "The optimized model to write (default: <model>.optimized.onnx); its manifest and reports go beside it." };
        var passes = new Option<string[]>("--pass", "-p")
        {
            Description = "A pass with the attribute's option names, e.g. Quantize:Mode=StaticInt8,Calibration=calib.npy,RequireSpeedup=true or Prune:Sparsity=0.5 or AccuracyBudget:MaxDrop=0.01,Validation=val.npy,Labels=val_labels.npy. Repeat for more passes; data paths are relative to the current folder. Passes: " + PassSchema.AvailableText + "; 'onnx-opt passes' lists every option.",
            AllowMultipleArgumentsPerToken = false,
        };
        var trust = new Option<bool>(PlanLoadLimits.TrustOption) { Description = "The model is trusted: lift the caps on its file and external-data sizes (the structural checks stay)." };
        var maxModelBytes = new Option<long?>(PlanLoadLimits.MaxModelBytesOption) { Description = "Largest model file (the protobuf) accepted, in bytes (default 2 GiB − 1)." };
        var maxExternalDataBytes = new Option<long?>(PlanLoadLimits.MaxExternalDataBytesOption) { Description = "Most bytes read from external-data files, in bytes (default 16 GiB)." };
        var plan = new Option<string?>("--plan") { Description = "Run a plan file as the build writes it (obj/.../optimizer/<Name>.plan.json) instead of a model and passes." };
        var command = new Command("optimize", "Run the passes on a model, verify the result, write the optimized model, its manifest and its reports (the same engine, options and bytes as a build).")
        {
            model, output, passes, plan, trust, maxModelBytes, maxExternalDataBytes,
        };
        command.SetAction(parse => ToolCli.Guard(context, parse, () =>
        {
            var planPath = parse.GetValue(plan);
            var modelPath = parse.GetValue(model);
            if (planPath is null == modelPath is null)
                throw new EngineException(EngineErrorCodes.Usage, "Give a model or --plan (not both).");
            if (planPath is not null && (parse.GetValue(output) is not null || parse.GetValue(passes) is { Length: > 0 }))
                throw new EngineException(EngineErrorCodes.Usage, "--plan carries the output folder and the passes; do not combine it with --output or --pass.");

            var limits = LimitArguments(parse.GetValue(trust), parse.GetValue(maxModelBytes), parse.GetValue(maxExternalDataBytes));
            var optimizationPlan = planPath is not null
                ? PlanReader.Read(planPath)
                : CommandLinePlan.From([.. EngineArguments(parse.GetValue(output), parse.GetValue(passes) ?? []), .. limits], modelPath!);
            if (planPath is not null && limits.Count > 0)
                optimizationPlan = optimizationPlan with { LoadLimits = PlanLoadLimits.FromArguments(limits) };
            EngineOptimize.Outcome outcome;
            try
            {
                outcome = context.Status(parse, $"Optimizing {Path.GetFileName(optimizationPlan.Model)}…", () => EngineOptimize.Optimize(optimizationPlan));
            }
            catch (Exception e)
            {
                EngineOptimize.RemoveOutputs(optimizationPlan);
                throw new ToolCli.ReportedException(ErrorReport.CodeOf(e), ErrorReport.For(e, optimizationPlan), e);
            }

            var written = Path.Combine(optimizationPlan.OutputDirectory, optimizationPlan.OptimizedModelFileName);
            var warnings = outcome.Warnings;
            foreach (var warning in warnings)
                context.Stderr.WriteLine(warning);
            if (context.Json(parse))
            {
                context.WriteJson(new
                {
                    model = optimizationPlan.Model,
                    output = written,
                    manifest = Path.Combine(optimizationPlan.OutputDirectory, optimizationPlan.ManifestFileName),
                    reports = outcome.Report is { } report ? new[] { report.HtmlFileName, report.MarkdownFileName }.Select(f => Path.Combine(optimizationPlan.OutputDirectory, f)) : null,
                    sizeBefore = outcome.SizeBefore,
                    sizeAfter = outcome.SizeAfter,
                    optimizedSha256 = outcome.Report?.OptimizedSha256,
                    passes = outcome.Report?.Passes.Select(p => new { pass = p.Pass, summary = p.Summary, changed = p.Changed, skipped = p.Skipped }),
                    fidelity = outcome.Report?.Fidelity,
                    latency = outcome.Report?.Latency,
                    summary = SummaryLine.Format(optimizationPlan, outcome.SizeBefore, outcome.SizeAfter, null, outcome.Fidelity, outcome.Speed),
                    warnings,
                });
            }
            else
            {
                context.Stdout.WriteLine(SummaryLine.Format(optimizationPlan, outcome.SizeBefore, outcome.SizeAfter, null, outcome.Fidelity, outcome.Speed));
                context.Console.MarkupLineInterpolated($"wrote [bold]{written}[/] (+ manifest and reports in {optimizationPlan.OutputDirectory})");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The engine's own command-line form (<see cref="CommandLinePlan.Usage"/>), so both parse passes alike.</summary>
    /// <summary>The load-limit options as the engine's arguments (<see cref="PlanLoadLimits.FromArguments"/> reads them).</summary>
    private static List<string> LimitArguments(bool trust, long? maxModelBytes, long? maxExternalDataBytes)
    {
        var args = new List<string>();
        if (trust)
            args.Add(PlanLoadLimits.TrustOption);
        if (maxModelBytes is { } m)
            args.AddRange([PlanLoadLimits.MaxModelBytesOption, m.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (maxExternalDataBytes is { } e)
            args.AddRange([PlanLoadLimits.MaxExternalDataBytesOption, e.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return args;
    }

    internal static List<string> EngineArguments(string? output, IEnumerable<string> passes)
    {
        var args = new List<string>();
        if (output is not null)
            args.AddRange(["--output", output]);
        foreach (var pass in passes)
            args.AddRange(["--pass", pass]);
        return args;
    }
}
