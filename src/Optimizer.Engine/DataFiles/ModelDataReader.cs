using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.DataFiles;

/// <summary>
/// Reads a declared data set (Calibration, Validation, timing data) and matches it to the model's
/// inputs: an <c>.npz</c> (one array per input, samples first: <see cref="NpzSamples"/>), a folder
/// of ONNX <c>test_data_set_*</c> feeds (<see cref="TestDataFolders"/>), or for a single-input model
/// a <c>.npy</c> or raw float32 file (<see cref="SingleInputSamples"/>).
/// </summary>
internal static class ModelDataReader
{
    /// <exception cref="EngineException">The data is missing, malformed or does not match the model's inputs (coded, at <paramref name="at"/>).</exception>
    public static SampleSet Read(OptimizationPlan plan, OnnxModel model, string declared, string option, DiagnosticLocation? at)
    {
        var path = DataFile.Resolve(plan, declared);
        if (Directory.Exists(path) && !Onnx.Files.UntrustedFile.IsSystemPath(path))
        {
            return TestDataFeeds.Read(path, model, new DataSubject(option, declared, at, "folder"));
        }

        var subject = new DataSubject(option, declared, at);
        return declared.EndsWith(".npz", StringComparison.OrdinalIgnoreCase)
            ? NpzSamples.Match(model, NpzArchive.Read(plan, declared, option, at), subject)
            : SingleInputSamples.Read(plan, model, subject);
    }
}
