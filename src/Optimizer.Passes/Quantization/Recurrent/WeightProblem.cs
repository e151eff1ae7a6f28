namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>Why a layer's weight input cannot be quantized ahead of time, or null when it can.</summary>
internal static class WeightProblem
{
    /// <param name="scope">Where the layer sits (the weight may belong to an enclosing graph).</param>
    /// <param name="weightName">The weight input.</param>
    /// <param name="rank">The rank the weight must have (Conv: at least this, LSTM: exactly).</param>
    /// <param name="orHigher">Whether higher ranks are fine too.</param>
    public static string? Of(GraphScope scope, string weightName, int rank, bool orHigher)
    {
        if (scope.FindConstant(weightName) is not { } found)
        {
            return $"weight '{weightName}' is computed at run time or is a graph input, not a constant";
        }

        var weight = found.Value;
        if (weight.ElementType != Onnx.TensorElementType.Float)
        {
            return $"weight '{weightName}' is {weight.ElementType}; only float32 weights are quantized";
        }

        var rankFits = orHigher ? weight.Dims.Count >= rank : weight.Dims.Count == rank;
        return !rankFits || weight.Dims.Any(d => d < 1)
            ? $"weight '{weightName}' has shape [{string.Join(",", weight.Dims)}]; only non-empty weights of rank {rank}{(orHigher ? " or more" : "")} are quantized"
            : null;
    }
}
