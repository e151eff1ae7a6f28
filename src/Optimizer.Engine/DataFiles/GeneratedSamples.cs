using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Inputs made up when no data is declared, for every element type, labelled as generated
/// (<see cref="SampleSet.IsGenerated"/>): floats uniform in [0, 1), integer ids below the size of
/// the table a Gather reads them from, masks (inputs named <c>*mask*</c>) of ones, symbolic
/// dimensions at <see cref="SymbolicDimSizes"/>; a fixed seed, so equal models get equal inputs.
/// </summary>
internal static class GeneratedSamples
{
    public const int DefaultCount = 32;
    public const int Seed = 20240601;

    /// <exception cref="EngineException">An input whose type cannot be generated (sequence, map, string, …).</exception>
    public static SampleSet For(OnnxModel model, SymbolicDimSizes dims, int count = DefaultCount) =>
        throw new NotImplementedException("GeneratedSamples.For: being written (issue 12, data helper).");
}
