using System.Globalization;

namespace Optimizer.Training.FineTuning;

/// <summary>One epoch's figures: mean training loss and accuracy on the validation data (or null when there are no labels to measure against).</summary>
/// <param name="Epoch">1-based; 0 is the model before training.</param>
/// <param name="Epochs">How many epochs the run has.</param>
/// <param name="Loss">Mean loss over the epoch's samples; null for epoch 0.</param>
/// <param name="Accuracy">Top-1 accuracy in [0, 1], or null.</param>
/// <param name="AccuracySource">What the accuracy was measured on ("validation", "training data", "teacher agreement").</param>
public sealed record EpochResult(int Epoch, int Epochs, double? Loss, double? Accuracy, string AccuracySource)
{
    /// <summary>One compact line, e.g. <c>epoch 3/10: loss 0.1234, validation accuracy 98.44%</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Loss is { } loss) parts.Add("loss " + loss.ToString("0.0000", CultureInfo.InvariantCulture));
        if (Accuracy is { } accuracy) parts.Add($"{AccuracySource} accuracy " + (accuracy * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%");
        var head = Epoch == 0 ? "before training" : $"epoch {Epoch}/{Epochs}";
        return parts.Count == 0 ? head : $"{head}: {string.Join(", ", parts)}";
    }
}
