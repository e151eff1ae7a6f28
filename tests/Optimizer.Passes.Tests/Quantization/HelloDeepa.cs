using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>hello_deepa (openWakeWord) on Gaussian-like unit-scale features standing in for speech embeddings.</summary>
internal static class HelloDeepa
{
    /// <summary>One [1, 25, 96] window: each value the sum of three uniforms, centred and scaled to unit spread.</summary>
    public static float[] Features(Random random) =>
        Enumerable.Range(0, 25 * 96).Select(_ => (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2).ToArray();

    public static (double Max, double Mean) ScoreDifferences(OnnxModel reference, OnnxModel candidate)
    {
        var total = 0.0;
        var inputName = reference.Graph.Inputs[0].Name;
        var random = new Random(7);
        var worst = 0.0;
        for (var sample = 0; sample < 32; sample++)
        {
            var features = Features(random);
            var expected = Ort.Run(reference, (inputName, features, [1, 25, 96]));
            var actual = Ort.Run(candidate, (inputName, features, [1, 25, 96]));
            worst = Math.Max(worst, Math.Abs(expected[0] - actual[0]));
            total += Math.Abs(expected[0] - actual[0]);
        }

        return (worst, total / 32);
    }
}
