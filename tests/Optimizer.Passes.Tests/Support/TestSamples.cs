using Optimizer.Passes.Data;

namespace Optimizer.Passes.Tests.Support;

/// <summary>Hand-built calibration samples for tests, as the engine's data reader would give them.</summary>
internal static class TestSamples
{
    /// <summary>Float32 samples stacked on the first axis for the input named <paramref name="input"/>, batchable (its batch axis is symbolic).</summary>
    public static StackedSamples Floats(string input, float[] values, params long[] shape) =>
        new([new StackedInput(input, DataTensor.FromFloats(values, shape), RowIsWholeInput: false)], batchable: true) { Source = $"{shape[0]} test samples" };

    /// <summary>One sample set under the key a pass's Calibration option names.</summary>
    public static IReadOnlyDictionary<string, SampleSet> Named(string key, SampleSet samples) =>
        new Dictionary<string, SampleSet>(StringComparer.Ordinal) { [key] = samples };
}
