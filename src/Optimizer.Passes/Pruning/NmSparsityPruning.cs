// 2:4 (N:M) semi-structured sparsity: in every group of M=4 consecutive weights along the
// reduction axis (a Conv's input channels at each kernel position, a Gemm/MatMul's K), the
// N=2 smallest magnitudes become zero. That is the layout sparse tensor cores accelerate;
// it fixes sparsity at 50%, whatever Sparsity says. A layer whose reduction length is not a
// multiple of 4 (e.g. a first Conv over 1 or 3 input channels) is skipped, as NVIDIA's ASP does.

using System.Globalization;
using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning;

/// <summary>Applies the 2:4 sparsity pattern to Conv/Gemm/MatMul weights.</summary>
internal sealed class NmSparsityPruning(PruneSettings settings, PassContext? context = null) : IModelPass
{
    public const int GroupSize = 4;
    public const int KeptPerGroup = 2;

    public int Stage => PrunePass.Stage;

    public PassReport Run(OnnxModel model)
    {
        var graph = model.Graph;
        var (layers, skipped) = PrunableLayerFinder.Find(graph, settings.Exclusions);
        var changed = new List<PassChange>();
        var correction = PruneBiasCorrection.Prepare(settings, context ?? PassContext.Empty, model);
        var changes = new List<WeightChange>();
        long parameters = 0, zerosBefore = 0, zerosAfter = 0;
        foreach (var layer in layers)
        {
            var reduction = layer.Weight.Dims[layer.ReductionAxis];
            if (reduction % GroupSize != 0)
            {
                skipped.Add(new PassSkip(layer.Name, $"reduces over {reduction} inputs, not a multiple of {GroupSize}, so its weights do not split into 2:4 groups"));
                continue;
            }

            var weights = layer.Weight.ToFloatArray();
            var figures = new LayerSparsity(weights.Length, LayerSparsity.CountZeros(weights), 0);
            var before = correction.Enabled ? (float[])weights.Clone() : [];
            ApplyPattern(weights, layer.Weight.Dims, layer.ReductionAxis);
            if (correction.Enabled)
            {
                changes.Add(new WeightChange(layer.Node, before, weights));
            }

            figures = figures with { ZerosAfter = LayerSparsity.CountZeros(weights) };
            WeightStore.Replace(graph, layer.Weight, layer.Weight.Dims, weights);
            changed.Add(new PassChange(layer.Name, $"{layer.Node.OpType} weight '{layer.WeightName}': 2:4 along axis {layer.ReductionAxis}, {figures.Describe()}"));
            (parameters, zerosBefore, zerosAfter) = (parameters + figures.Parameters, zerosBefore + figures.ZerosBefore, zerosAfter + figures.ZerosAfter);
        }

        // Bias correction (BiasCorrection.cs): each layer's bias absorbs its expected output shift.
        var (corrected, uncorrected, correctionSummary) = correction.Run(model.Graph, changes, settings);
        skipped.AddRange(uncorrected);
        changed = changed.Select(c => changes.FirstOrDefault(w => LayerNames.Of(w.Node) == c.Node) is { } w && corrected.TryGetValue(w.Node, out var detail)
            ? c with { Detail = c.Detail + "; " + detail } : c).ToList();
        var note = Math.Abs(settings.Sparsity - 0.5) > 1e-9
            ? string.Create(CultureInfo.InvariantCulture, $" (Sparsity {settings.Sparsity} ignored: 2:4 is always 50%)") : "";
        var summary = $"2:4 sparsity{note}: {changed.Count} of {layers.Count} layers, {new LayerSparsity(parameters, zerosBefore, zerosAfter).Describe()}" +
                      correctionSummary + (skipped.Count > 0 ? $", {skipped.Count} skipped" : "");
        return new PassReport(PrunePass.Name, summary, changed, skipped)
        {
            Shortfall = changed.Count == 0 ? PassShortfall.FromSkips($"pruned 0 of {layers.Count} layers to 2:4", skipped) : null,
        };
    }

    /// <summary>Zeroes the 2 smallest of every 4 consecutive weights along <paramref name="axis"/>; on ties the lower index stays.</summary>
    public static void ApplyPattern(float[] weights, IReadOnlyList<long> dims, int axis)
    {
        var outer = dims.Take(axis).Aggregate(1L, (a, d) => a * d);
        var length = dims[axis];
        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, d) => a * d);
        Span<long> group = stackalloc long[GroupSize];
        for (long o = 0; o < outer; o++)
        {
            for (long i = 0; i < inner; i++)
            {
                for (long start = 0; start < length; start += GroupSize)
                {
                    for (var g = 0; g < GroupSize; g++)
                    {
                        group[g] = ((o * length) + start + g) * inner + i;
                    }

                    ZeroSmallestInGroup(weights, group);
                }
            }
        }
    }

    private static void ZeroSmallestInGroup(float[] weights, ReadOnlySpan<long> group)
    {
        // Zero the weakest, one at a time; on equal magnitudes the later position goes first, so the lower one stays.
        Span<bool> zeroed = stackalloc bool[GroupSize];
        for (var round = 0; round < GroupSize - KeptPerGroup; round++)
        {
            var weakest = -1;
            for (var g = 0; g < GroupSize; g++)
            {
                if (!zeroed[g] && (weakest < 0 || MagnitudeSelection.Magnitude(weights[group[g]]) <= MagnitudeSelection.Magnitude(weights[group[weakest]])))
                {
                    weakest = g;
                }
            }

            zeroed[weakest] = true;
            weights[group[weakest]] = 0f;
        }
    }
}
