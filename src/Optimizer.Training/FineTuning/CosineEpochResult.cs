using System.Globalization;

namespace Optimizer.Training.FineTuning;

/// <summary>One epoch of encoder distillation: mean training loss and the pooled-embedding cosine to the teacher.</summary>
/// <param name="Epoch">1-based; 0 is the model before training.</param>
/// <param name="Epochs">How many epochs the run may have.</param>
/// <param name="Loss">Mean loss over the epoch's samples; null for epoch 0.</param>
/// <param name="MinCosine">The lowest cosine over the measured samples.</param>
/// <param name="MeanCosine">The mean cosine.</param>
/// <param name="Source">What the cosine was measured on ("validation", "training").</param>
public sealed record CosineEpochResult(int Epoch, int Epochs, double? Loss, double MinCosine, double MeanCosine, string Source)
{
    /// <summary>Better than <paramref name="other"/>: a higher minimum (what a MinCosine budget checks), then a higher mean.</summary>
    public bool IsBetterThan(CosineEpochResult other) =>
        MinCosine > other.MinCosine || (MinCosine == other.MinCosine && MeanCosine > other.MeanCosine);

    /// <summary>One compact line, e.g. <c>epoch 3/10: loss 0.0123, validation cos min 0.981 mean 0.993</c>.</summary>
    public override string ToString()
    {
        static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var head = Epoch == 0 ? "before training" : $"epoch {Epoch}/{Epochs}";
        var loss = Loss is { } l ? $"loss {Number(l, "0.0000")}, " : "";
        return $"{head}: {loss}{Source} cos min {Number(MinCosine, "0.0000")} mean {Number(MeanCosine, "0.0000")}";
    }
}
