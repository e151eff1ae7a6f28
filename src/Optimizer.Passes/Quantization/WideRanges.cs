using System.Globalization;
using Optimizer.Passes.Calibration;

namespace Optimizer.Passes.Quantization;

/// <summary>
/// Layers whose calibrated activation ranges are too wide for 8 bits. An attention mask written as a
/// bias (0 for tokens, −10,000 or −3.4e38 for padding, added to the attention scores) gives its Add a
/// range whose int8 step is larger than every real score: quantized, the scores of a padded batch all
/// collapse (arctic_embed_xs: pooled cosine 0.76 instead of 0.98). Such layers stay in float32, and the
/// report says why.
/// </summary>
internal static class WideRanges
{
    /// <summary>A range reaching this magnitude is not quantized: no activation of a working float model is that large.</summary>
    public const float MaxMagnitude = 1e4f;

    /// <summary>The planned compute layers that read or write a value whose range reaches <see cref="MaxMagnitude"/>, as skips.</summary>
    public static List<PassSkip> Layers(QdqPlan plan, IReadOnlyDictionary<string, TensorRange> ranges)
    {
        var skips = new List<PassSkip>();
        foreach (var node in plan.QuantizedNodes.Where(n => !plan.SharedRange.ContainsKey(n.Outputs[0])))
        {
            var widest = node.Inputs.Append(node.Outputs[0])
                .Where(ranges.ContainsKey)
                .Select(v => (Value: v, Range: ranges[v]))
                .Where(v => Math.Max(-v.Range.Min, v.Range.Max) >= MaxMagnitude)
                .OrderByDescending(v => Math.Max(-v.Range.Min, v.Range.Max))
                .FirstOrDefault();
            if (widest.Value is not null)
            {
                skips.Add(new PassSkip(QdqPlanner.NameOf(node), string.Create(CultureInfo.InvariantCulture,
                    $"'{widest.Value}' ranges over [{widest.Range.Min:G3}, {widest.Range.Max:G3}], too wide for 8 bits (e.g. an attention mask added as a bias): kept in float32")));
            }
        }

        return skips;
    }
}
