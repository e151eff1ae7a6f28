namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>What <see cref="DynamicLayerQuantization"/> did to the Conv and LSTM layers.</summary>
/// <param name="Changed">Each layer rewritten (and the opset raise, first, when one was needed).</param>
/// <param name="Skipped">Each layer left float, with why.</param>
/// <param name="Summary">Per kind, e.g. <c>4 of 4 LSTM → DynamicQuantizeLSTM</c>; empty when the model has none.</param>
internal sealed record DynamicLayerResult(IReadOnlyList<PassChange> Changed, IReadOnlyList<PassSkip> Skipped, string Summary)
{
    /// <summary>
    /// The MatMul/Gemm report with these layers added: summary, changes and skips. The shortfall
    /// stays only when neither part quantized anything, and then gives both parts' reasons.
    /// A model without Conv or LSTM gets the MatMul/Gemm report unchanged.
    /// </summary>
    public PassReport MergeInto(PassReport matMul)
    {
        if (Summary.Length == 0)
        {
            return matMul;
        }

        var skipped = matMul.Skipped.Concat(Skipped).ToList();
        var shortfall = matMul.Shortfall is { } matMulShortfall && Changed.Count == 0
            ? PassShortfall.FromSkips($"{matMulShortfall.Outcome}, {Summary}", skipped)
            : null;
        return matMul with
        {
            Summary = $"{matMul.Summary}; {Summary}",
            Changed = [.. matMul.Changed, .. Changed],
            Skipped = skipped,
            Shortfall = shortfall,
        };
    }
}
