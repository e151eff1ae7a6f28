namespace Optimizer.Runtime;

/// <summary>One ranked class of a model output: its label (when the model carries labels), its index along the last axis and its score.</summary>
/// <param name="Label">The class name from the model's <c>labels</c> metadata, or <see langword="null"/> when it has none.</param>
/// <param name="Index">The class index (position along the output's last axis).</param>
/// <param name="Score">The output's value there: a logit, or a probability after <see cref="ClassificationExtensions.Softmax"/>.</param>
public readonly record struct Prediction(string? Label, int Index, float Score)
{
    /// <summary>For example <c>7 (seven): 0.981</c>.</summary>
    public override string ToString() =>
        $"{Index}{(Label is null ? "" : $" ({Label})")}: {Score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";
}
