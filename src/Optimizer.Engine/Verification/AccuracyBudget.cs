using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Engine.Verification;

/// <summary>The <c>[AccuracyBudget(MaxDrop, Validation, Labels)]</c> declaration.</summary>
internal sealed record AccuracyBudgetSettings(double MaxDrop, string? Validation, string? Labels, DiagnosticLocation? DeclaredAt)
{
    public static string PassName => PassSchema.AccuracyBudget.Name;

    /// <summary>MaxDrop when [AccuracyBudget] sets none (the attribute's default).</summary>
    public static readonly double DefaultMaxDrop = new AccuracyBudgetAttribute().MaxDrop;

    public static AccuracyBudgetSettings? From(OptimizationPlan plan)
    {
        var pass = plan.Passes.FirstOrDefault(p => p.Pass == PassName);
        if (pass is null)
            return null;
        AccuracyBudgetAttribute options;
        try
        {
            options = OptionBinder.Bind<AccuracyBudgetAttribute>(pass.Options);
        }
        catch (PassException e)
        {
            throw new EngineException(EngineErrorCodes.AccuracyBudgetInvalid, "[AccuracyBudget]: " + e.Message, pass.DeclaredAt);
        }

        return new AccuracyBudgetSettings(options.MaxDrop, Empty(options.Validation), Empty(options.Labels), pass.DeclaredAt);
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What verification and the budget decided.</summary>
/// <param name="Result">The pipeline result to write (with reverted layers kept in float32).</param>
/// <param name="Fidelity">The figures of that result; null when verification was not possible and no budget is declared.</param>
/// <param name="Reverted">Quantized layers kept in float32 to hold the budget, in the order they were reverted.</param>
/// <param name="Warnings">Coded warning lines to print before the summary.</param>
internal sealed record VerificationOutcome(PipelineResult Result, FidelityResult? Fidelity, IReadOnlyList<string> Reverted, IReadOnlyList<string> Warnings);

/// <summary>
/// Verification after the passes and the accuracy budget (NNCF-style accuracy control):
/// <list type="number">
/// <item>Run the original and the optimized model on the verification data and compare (<see cref="FidelityResult"/>).</item>
/// <item>If the drop exceeds MaxDrop and the model was statically quantized (Quantize Mode=StaticInt8), rank the
/// quantized layers (Conv/Gemm/MatMul/Add/Mul/Concat/pools the pass rewrote) by the drop that remains when only that
/// layer is left in float32 (re-running the pipeline with the pass's KeepFloat option): lowest remaining drop first,
/// then the highest SQNR of the compared output, then graph order.</item>
/// <item>Revert them to float32 one by one in that order, re-running the pipeline and the comparison each time, until
/// the drop is within MaxDrop. Nothing else is weakened: pruning's declared sparsity stays as declared.</item>
/// <item>If the budget still does not hold with every quantized layer in float32 (or there is nothing to revert), fail
/// with <see cref="EngineErrorCodes.AccuracyBudgetExceeded"/>.</item>
/// </list>
/// </summary>
internal sealed class AccuracyControl
{
    private static readonly HashSet<string> QuantizedLayerOps = ["Conv", "Gemm", "MatMul", "Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool"];

    private readonly OptimizationPlan _plan;
    private readonly OnnxModel _model;
    private readonly AccuracyBudgetSettings? _budget;
    private readonly Func<IReadOnlyCollection<string>, bool, PipelineResult> _build;
    private readonly bool _staticInt8;

    /// <param name="build">Runs the pipeline with these layers kept in float32; the flag is true for trial runs.</param>
    public AccuracyControl(OptimizationPlan plan, OnnxModel model, AccuracyBudgetSettings? budget, bool staticInt8,
        Func<IReadOnlyCollection<string>, bool, PipelineResult> build)
    {
        _plan = plan;
        _model = model;
        _budget = budget;
        _staticInt8 = staticInt8;
        _build = build;
    }

    public VerificationOutcome Run(PipelineResult first, IReadOnlyDictionary<string, SampleSet> calibration)
    {
        VerificationInputs data;
        VerificationInputs? loaded = null;
        ModelOutputs original;
        FidelityResult fidelity;
        try
        {
            data = loaded = VerificationData.Load(_plan, _model, _budget, calibration);
            original = ModelRunner.Run(OnnxModelWriter.ToBytes(_model), _model, data, ModelRunner.Original);
            fidelity = Evaluate(first, data, original);
        }
        // ONNX Runtime failing on the optimized model where the original ran on the same inputs, or on the
        // original with inputs that are the user's or exactly the declared shapes: the model cannot run.
        catch (VerificationException e) when (e.OnnxRuntimeFailedOn == ModelRunner.Optimized || (e.OnnxRuntimeFailedOn == ModelRunner.Original && loaded?.Conclusive == true))
        {
            var failure = $"on {loaded!.Source}: {e.InnerException?.Message.Trim().TrimEnd('.')}";
            throw e.OnnxRuntimeFailedOn == ModelRunner.Optimized
                ? OnnxRuntimeLoadCheck.OptimizedNotRunnable("ONNX Runtime cannot run the optimized model " + failure, _plan.DeclaredAt)
                : OnnxRuntimeLoadCheck.InputNotRunnable(_plan.ModelPath, "ONNX Runtime cannot run it " + failure, _plan.DeclaredAt);
        }
        catch (VerificationException e)
        {
            if (_budget is not null)
            {
                throw new EngineException(EngineErrorCodes.VerificationFailed,
                    $"the optimized model could not be compared with the original, so [AccuracyBudget] cannot be checked: {e.Message}.", _budget.DeclaredAt, e);
            }

            var warning = CanonicalError.FormatWarning(EngineErrorCodes.VerificationFailed,
                $"{_plan.ModelPath}: the optimized model's fidelity was not measured: {e.Message}. Declare [AccuracyBudget] with Validation data to check it.", _plan.DeclaredAt);
            return new VerificationOutcome(first, null, [], [warning]);
        }

        if (_budget is null || Holds(fidelity))
            return new VerificationOutcome(first, fidelity, [], []);

        var tried = new List<string>();
        var candidates = QuantizedLayers(first);
        if (!_staticInt8 || candidates.Count == 0)
        {
            tried.Add(_staticInt8 ? "no quantized layer to revert to float32" : "nothing to revert: only statically quantized (Quantize Mode=StaticInt8) layers are reverted");
            throw Exceeded(fidelity, tried);
        }

        // Rank: one layer at a time in float32.
        var builds = new Dictionary<string, (PipelineResult Result, FidelityResult Fidelity)>(StringComparer.Ordinal);
        (PipelineResult Result, FidelityResult Fidelity) With(IReadOnlyCollection<string> keep)
        {
            var key = string.Join("\n", keep.Order(StringComparer.Ordinal));
            if (!builds.TryGetValue(key, out var built))
            {
                var result = _build(keep, true);
                builds[key] = built = (result, Evaluate(result, data, original));
            }

            return built;
        }

        var ranked = candidates
            .Select((layer, index) => (Layer: layer, Index: index, With([layer]).Fidelity))
            .OrderBy(c => Math.Round(c.Fidelity.Drop, 12))
            .ThenByDescending(c => Sqnr(c.Fidelity))
            .ThenBy(c => c.Index)
            .ToList();
        tried.Add($"ranked {candidates.Count} quantized layers by the drop with each alone in float32 ({string.Join(", ", ranked.Select(r => Invariant($"{r.Layer} {r.Fidelity.Drop * 100:0.0##}%")))})");

        var reverted = new List<string>();
        foreach (var (layer, _, _) in ranked)
        {
            reverted.Add(layer);
            var (result, reduced) = With(reverted);
            if (Holds(reduced))
            {
                var warning = CanonicalError.FormatWarning(EngineErrorCodes.LayersKeptInFloat,
                    Invariant($"{_plan.ModelPath}: the accuracy drop of the fully quantized model, {fidelity.DescribeDrop()}, exceeds [AccuracyBudget] MaxDrop {_budget.MaxDrop * 100:0.0##}%; kept {reverted.Count} of {candidates.Count} quantized layers in float32 to hold it ({string.Join(", ", reverted)}), drop now {reduced.DescribeDrop()}. Calibrate on more representative data or relax MaxDrop to quantize them."),
                    _budget.DeclaredAt ?? _plan.DeclaredAt);
                return new VerificationOutcome(result, reduced, reverted, [warning]);
            }
        }

        tried.Add($"reverted all {candidates.Count} quantized layers to float32 one by one ({string.Join(", ", reverted)}); the drop with all of them in float32 is {With(reverted).Fidelity.DescribeDrop()}");
        throw Exceeded(fidelity, tried);
    }

    private bool Holds(FidelityResult fidelity) => fidelity.Drop <= _budget!.MaxDrop + 1e-9;

    private EngineException Exceeded(FidelityResult fidelity, List<string> tried)
    {
        var sparsity = _plan.Passes.FirstOrDefault(p => p.Pass == PassSchema.Prune.Name)?.Options.GetValueOrDefault(nameof(PruneAttribute.Sparsity));
        var kept = sparsity is null ? "" : $"; the declared Prune Sparsity {sparsity} is never lowered to fit";
        return new EngineException(EngineErrorCodes.AccuracyBudgetExceeded,
            Invariant($"the optimized model's accuracy drop {fidelity.DescribeDrop()} exceeds [AccuracyBudget] MaxDrop {_budget!.MaxDrop * 100:0.0##}% ({fidelity.Describe(_budget.MaxDrop)}). Tried: {string.Join("; ", tried)}{kept}. Relax MaxDrop, prune less, or quantize with calibration data closer to the validation data."),
            _budget.DeclaredAt);
    }

    private static FidelityResult Evaluate(PipelineResult result, VerificationInputs data, ModelOutputs original) =>
        FidelityResult.Compare(data, original, ModelRunner.Run(OnnxModelWriter.ToBytes(result.Model), result.Model, data, ModelRunner.Optimized));

    private static double Sqnr(FidelityResult fidelity) =>
        fidelity.Outputs.FirstOrDefault(o => o.Name == fidelity.ClassificationOutput)?.SqnrDb ?? fidelity.Outputs.Min(o => o.SqnrDb);

    /// <summary>Names of the compute layers the Quantize pass rewrote, in graph order.</summary>
    private static List<string> QuantizedLayers(PipelineResult result)
    {
        var changed = result.Reports.Where(r => r.Pass == PassSchema.Quantize.Name).SelectMany(r => r.Changed).Select(c => c.Node).ToHashSet(StringComparer.Ordinal);
        return result.Model.Graph.GetTopologicalOrder()
            .Where(n => n.IsDefaultDomain && QuantizedLayerOps.Contains(n.OpType))
            .Select(n => n.Name.Length > 0 ? n.Name : n.Outputs.FirstOrDefault() ?? n.OpType)
            .Where(changed.Contains)
            .Distinct()
            .ToList();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
