using Optimizer.Engine.DataFiles;
using System.Globalization;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Data;
using Optimizer.Passes.Schema;
using Optimizer.Runtime;

namespace Optimizer.Engine.Verification;

/// <summary>The <c>[AccuracyBudget(MaxDrop, MinCosine, Validation, Labels)]</c> declaration.</summary>
/// <param name="MaxDrop">The top-1 (or agreement, or cosine) drop allowed; null when only the cosine is checked (MinCosine set, MaxDrop not declared).</param>
/// <param name="MinCosine">The lowest per-sample cosine allowed (pooled for encoders); null when not checked (0).</param>
internal sealed record AccuracyBudgetSettings(double? MaxDrop, double? MinCosine, string? Validation, string? Labels, DiagnosticLocation? DeclaredAt)
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

        var minCosine = options.MinCosine > 0 ? options.MinCosine : (double?)null;
        var maxDropDeclared = pass.Options.Keys.Any(k => k.Equals(nameof(AccuracyBudgetAttribute.MaxDrop), StringComparison.OrdinalIgnoreCase));
        return new AccuracyBudgetSettings(minCosine is null || maxDropDeclared ? options.MaxDrop : null, minCosine,
            Empty(options.Validation), Empty(options.Labels), pass.DeclaredAt);
    }

    /// <summary>Whether <paramref name="fidelity"/> holds every limit declared.</summary>
    public bool Holds(FidelityResult fidelity) => HoldsDrop(fidelity) && HoldsCosine(fidelity);

    public bool HoldsDrop(FidelityResult fidelity) => MaxDrop is not { } maxDrop || fidelity.Drop <= maxDrop + 1e-9;

    /// <summary>The worst cosine is at least MinCosine (a NaN cosine never holds).</summary>
    public bool HoldsCosine(FidelityResult fidelity) => MinCosine is not { } minCosine || fidelity.MinCosine >= minCosine - 1e-12;

    /// <summary>The limits, e.g. <c>MaxDrop 1.0%, MinCosine 0.99</c>.</summary>
    public string Describe() => string.Join(", ", new[]
    {
        MaxDrop is { } d ? string.Create(CultureInfo.InvariantCulture, $"MaxDrop {d * 100:0.0##}%") : null,
        MinCosine is { } c ? string.Create(CultureInfo.InvariantCulture, $"MinCosine {c:0.0#####}") : null,
    }.Where(p => p is not null));

    /// <summary>How far <paramref name="fidelity"/> is from the budget, e.g. <c>pooled cosine 0.9412 (…) below MinCosine 0.99</c>.</summary>
    public string DescribeMiss(FidelityResult fidelity) => string.Join("; ", new[]
    {
        MaxDrop is { } d && !HoldsDrop(fidelity) ? string.Create(CultureInfo.InvariantCulture, $"accuracy drop {fidelity.DescribeDrop()} exceeds [AccuracyBudget] MaxDrop {d * 100:0.0##}%") : null,
        MinCosine is { } c && !HoldsCosine(fidelity) ? string.Create(CultureInfo.InvariantCulture, $"{fidelity.DescribeCosine()} is below [AccuracyBudget] MinCosine {c:0.0#####}") : null,
    }.Where(p => p is not null));

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What verification and the budget decided.</summary>
/// <param name="Result">The pipeline result to write (with reverted layers kept in float32).</param>
/// <param name="Fidelity">The figures of that result; null when verification was not possible and no budget is declared.</param>
/// <param name="Reverted">Quantized layers kept in float32 to hold the budget, in the order they were reverted.</param>
/// <param name="Warnings">Coded warning lines to print before the summary.</param>
internal sealed record VerificationOutcome(PipelineResult Result, FidelityResult? Fidelity, IReadOnlyList<string> Reverted, IReadOnlyList<string> Warnings)
{
    /// <summary>The <see cref="EstimateWarning"/> (figures only from generated inputs), printed last of the warnings.</summary>
    public IReadOnlyList<string> EstimateWarnings { get; init; } = [];

    /// <summary>The samples the models were compared on (null when none could be loaded): the speed check times their shapes without reading the files again.</summary>
    public SampleSet? Samples { get; init; }
}

/// <summary>
/// Verification after the passes and the accuracy budget (NNCF-style accuracy control):
/// <list type="number">
/// <item>Run the original and the optimized model on the verification data and compare (<see cref="FidelityResult"/>).</item>
/// <item>If the budget does not hold (the drop exceeds MaxDrop, or the worst cosine is below MinCosine) and the model
/// was statically quantized (Quantize Mode=StaticInt8), rank the quantized layers (Conv/Gemm/MatMul/Add/Mul/Concat/pools
/// the pass rewrote) by the figure that remains when only that layer is left in float32 (re-running the pipeline with the
/// pass's KeepFloat option): lowest remaining drop first (highest min cosine when only MinCosine is checked), then the
/// highest SQNR of the compared output, then graph order.</item>
/// <item>Revert them to float32 one by one in that order, re-running the pipeline and the comparison each time, until
/// the budget holds. Nothing else is weakened: pruning's declared sparsity stays as declared.</item>
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
        FidelityResult fidelity;
        var originalBytes = OnnxModelWriter.ToBytes(_model);
        try
        {
            data = loaded = VerificationData.Load(_plan, _model, _budget, calibration, SymbolicDimSizes.From(_plan));
            fidelity = Evaluate(first, data, originalBytes);
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

            // Nothing could be measured: the only case OPT1062 warns about without a budget.
            var warning = CanonicalError.FormatWarning(EngineErrorCodes.VerificationFailed,
                $"{_plan.ModelPath}: the optimized model's fidelity was not measured: {e.Message}. Declare [AccuracyBudget] with Validation data to check it.", _plan.DeclaredAt);
            return new VerificationOutcome(first, null, [], [warning]);
        }

        if (_budget is null || _budget.Holds(fidelity))
            return new VerificationOutcome(first, fidelity, [], []) { EstimateWarnings = EstimateWarning.For(_plan, fidelity), Samples = data.Samples };

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
                builds[key] = built = (result, Evaluate(result, data, originalBytes));
            }

            return built;
        }

        // Rank by what fails: the cosine when MinCosine is missed, else the drop.
        var byDrop = _budget.HoldsCosine(fidelity);
        var ranked = candidates
            .Select((layer, index) => (Layer: layer, Index: index, With([layer]).Fidelity))
            .OrderBy(c => byDrop ? Math.Round(c.Fidelity.Drop, 12) : -Math.Round(c.Fidelity.MinCosine, 12))
            .ThenByDescending(c => Sqnr(c.Fidelity))
            .ThenBy(c => c.Index)
            .ToList();
        tried.Add(byDrop
            ? $"ranked {candidates.Count} quantized layers by the drop with each alone in float32 ({string.Join(", ", ranked.Select(r => Invariant($"{r.Layer} {r.Fidelity.Drop * 100:0.0##}%")))})"
            : $"ranked {candidates.Count} quantized layers by the min cosine with each alone in float32 ({string.Join(", ", ranked.Select(r => Invariant($"{r.Layer} {r.Fidelity.MinCosine:0.0000}")))})");

        var reverted = new List<string>();
        foreach (var (layer, _, _) in ranked)
        {
            reverted.Add(layer);
            var (result, reduced) = With(reverted);
            if (_budget.Holds(reduced))
            {
                var before = byDrop ? $"the accuracy drop of the fully quantized model, {fidelity.DescribeDrop()}," : $"the fully quantized model's {fidelity.DescribeCosine()}";
                var limit = byDrop ? Invariant($"exceeds [AccuracyBudget] MaxDrop {_budget.MaxDrop * 100:0.0##}%") : Invariant($"is below [AccuracyBudget] MinCosine {_budget.MinCosine:0.0#####}");
                var now = byDrop ? $"drop now {reduced.DescribeDrop()}" : $"{reduced.DescribeCosine()} now";
                var relax = byDrop ? "relax MaxDrop" : "lower MinCosine";
                var warning = CanonicalError.FormatWarning(EngineErrorCodes.LayersKeptInFloat,
                    $"{_plan.ModelPath}: {before} {limit}; kept {reverted.Count} of {candidates.Count} quantized layers in float32 to hold it ({string.Join(", ", reverted)}), {now}. Calibrate on more representative data or {relax} to quantize them.",
                    _budget.DeclaredAt ?? _plan.DeclaredAt);
                return new VerificationOutcome(result, reduced, reverted, [warning]) { EstimateWarnings = EstimateWarning.For(_plan, reduced), Samples = data.Samples };
            }
        }

        tried.Add($"reverted all {candidates.Count} quantized layers to float32 one by one ({string.Join(", ", reverted)}); with all of them in float32: {Figures(With(reverted).Fidelity)}");
        throw Exceeded(fidelity, tried);
    }

    private string Figures(FidelityResult fidelity) =>
        _budget!.MaxDrop is null ? fidelity.DescribeCosine() : $"the drop is {fidelity.DescribeDrop()}" + (_budget.MinCosine is null ? "" : $", {fidelity.DescribeCosine()}");

    private EngineException Exceeded(FidelityResult fidelity, List<string> tried)
    {
        var sparsity = _plan.Passes.FirstOrDefault(p => p.Pass == PassSchema.Prune.Name)?.Options.GetValueOrDefault(nameof(PruneAttribute.Sparsity));
        var kept = sparsity is null ? "" : $"; the declared Prune Sparsity {sparsity} is never lowered to fit";
        var relax = _budget!.MaxDrop is null ? "Lower MinCosine" : _budget.MinCosine is null ? "Relax MaxDrop" : "Relax MaxDrop or MinCosine";
        return new EngineException(EngineErrorCodes.AccuracyBudgetExceeded,
            $"the optimized model's {_budget.DescribeMiss(fidelity)} ({fidelity.Describe(_budget.MaxDrop, _budget.MinCosine)}). Tried: {string.Join("; ", tried)}{kept}. {relax}, prune less, or quantize with calibration data closer to the validation data.",
            _budget.DeclaredAt);
    }

    private FidelityResult Evaluate(PipelineResult result, VerificationInputs data, byte[] originalBytes) =>
        ModelRunner.Compare(originalBytes, _model, OnnxModelWriter.ToBytes(result.Model), result.Model, data);

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
