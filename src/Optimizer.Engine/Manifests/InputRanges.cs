using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Manifests;

/// <summary>
/// The range each floating-point input of the optimized model was prepared for, so the runtime can
/// count production inputs outside it (<c>optimizer.input.out_of_range</c>): the static INT8 input
/// quantizer's representable range when the input is quantized (beyond it values are clipped),
/// otherwise the min/max seen in the declared data. Inputs with neither get no range.
/// </summary>
internal static class InputRanges
{
    /// <summary>The manifest inputs of <paramref name="optimized"/> with their ranges set.</summary>
    /// <param name="declaredData">The calibration and validation sets read from the declared files (generated sets are skipped: they say nothing about real inputs).</param>
    public static IReadOnlyList<ManifestValue> Attach(OnnxModel optimized, IReadOnlyList<ManifestValue> inputs, IEnumerable<SampleSet?> declaredData)
    {
        var sets = declaredData.OfType<SampleSet>().Where(s => !s.IsGenerated).Distinct().ToList();
        var types = optimized.Graph.Inputs.ToDictionary(i => i.Name, i => i.Type?.ElementType, StringComparer.Ordinal);
        return inputs.Select(input =>
        {
            if (!types.TryGetValue(input.Name, out var type) || type is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.Double))
                return input;
            var range = QuantizerRange(optimized.Graph, input.Name) ?? DataRange(sets, input.Name);
            return range is null ? input : input with { Range = range };
        }).ToList();
    }

    /// <summary>
    /// The values every per-tensor QuantizeLinear reading the input maps without clipping:
    /// ((qmin − zp − ½)·scale, (qmax − zp + ½)·scale), intersected when several read it; null when none
    /// does or one is per-channel.
    /// </summary>
    private static ManifestRange? QuantizerRange(OnnxGraph graph, string input)
    {
        double min = double.NegativeInfinity, max = double.PositiveInfinity;
        bool found = false;
        var values = SameValues(graph, input);
        foreach (var node in graph.Nodes.Where(n => n.IsDefaultDomain && n.OpType == "QuantizeLinear" && n.Inputs.Count >= 2 && values.Contains(n.Inputs[0])))
        {
            var scale = graph.FindConstant(node.Inputs[1]);
            var zeroPoint = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? graph.FindConstant(node.Inputs[2]) : null;
            if (scale is not { ElementCount: 1, ElementType: TensorElementType.Float } || zeroPoint is { ElementCount: not 1 })
                return null;
            var (qmin, qmax, zp) = zeroPoint?.ElementType switch
            {
                null or TensorElementType.UInt8 => (0.0, 255.0, zeroPoint is null ? 0.0 : zeroPoint.ToUInt8Array()[0]),
                TensorElementType.Int8 => (-128.0, 127.0, (double)zeroPoint.ToInt8Array()[0]),
                _ => (double.NaN, double.NaN, double.NaN),
            };
            double step = scale.ToFloatArray()[0];
            if (double.IsNaN(qmin) || !(step > 0) || !double.IsFinite(step))
                return null;
            // Values within half a step beyond the end codes still round to them: only beyond that are they clipped.
            min = Math.Max(min, (qmin - zp - 0.5) * step);
            max = Math.Min(max, (qmax - zp + 0.5) * step);
            found = true;
        }

        return found && min <= max ? new ManifestRange((float)min, (float)max, ManifestRange.Quantizer) : null;
    }

    /// <summary>Ops that move or reshape values without changing them: a quantizer after them sees the input's values.</summary>
    private static readonly HashSet<string> ValuePreserving = new(StringComparer.Ordinal) { "Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose" };

    /// <summary>The input and every value made from it by <see cref="ValuePreserving"/> ops only.</summary>
    private static HashSet<string> SameValues(OnnxGraph graph, string input)
    {
        var values = new HashSet<string>(StringComparer.Ordinal) { input };
        foreach (var node in graph.Nodes) // topological order: one pass follows chains
        {
            if (node.IsDefaultDomain && ValuePreserving.Contains(node.OpType) && node.Inputs.Count > 0 && values.Contains(node.Inputs[0]) && node.Outputs.Count == 1)
                values.Add(node.Outputs[0]);
        }

        return values;
    }

    /// <summary>The smallest and largest finite value of the input over every declared sample; null when no set carries it.</summary>
    private static ManifestRange? DataRange(IReadOnlyList<SampleSet> sets, string input)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var set in sets.Where(s => s.InputNames.Contains(input, StringComparer.Ordinal)))
        {
            foreach (var feed in set.Feeds(maxBatch: 64))
            {
                if (!feed.Inputs.TryGetValue(input, out var tensor) || tensor.ToFloats() is not { } values)
                    continue;
                foreach (float value in values)
                {
                    if (!float.IsFinite(value))
                        continue;
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                }
            }
        }

        return min <= max ? new ManifestRange(min, max, ManifestRange.Data) : null;
    }
}
