using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Commands;

/// <summary>
/// The accuracy comparison of two model files outside a build (the CLI's <c>verify</c> and
/// <c>report</c>): the same data rules and figures as <c>[AccuracyBudget]</c> — the given data (any
/// signature) and labels, else generated inputs at the given symbolic dims — through the same Verification code.
/// </summary>
internal static class ModelComparison
{
    /// <param name="originalPath">The reference model.</param>
    /// <param name="optimizedPath">The model compared with it.</param>
    /// <param name="data">Inputs (.npz, a test_data_set folder, .npy or raw float32 for one input), relative to the current folder; null for generated inputs.</param>
    /// <param name="labels">Labels for <paramref name="data"/> (.npy integers or raw uint8), or null.</param>
    /// <param name="dims">Sizes of symbolic dims for generated inputs (<c>--dim</c>).</param>
    /// <exception cref="EngineException">Data files missing or unreadable, or the models cannot be run and compared (OPT1062).</exception>
    public static FidelityResult Compare(string originalPath, string optimizedPath, string? data, string? labels, SymbolicDimSizes dims) =>
        Compare(OnnxModelLoader.Load(originalPath), originalPath, OnnxModelLoader.Load(optimizedPath), optimizedPath, data, labels, dims);

    /// <summary>The same, for models the caller has already loaded from these paths.</summary>
    public static FidelityResult Compare(OnnxModel original, string originalPath, OnnxModel optimized, string optimizedPath, string? data, string? labels, SymbolicDimSizes dims)
    {
        var fullPath = Path.GetFullPath(originalPath);
        var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, Path.GetFileNameWithoutExtension(fullPath), "", fullPath,
            originalPath.Replace('\\', '/'), new DiagnosticLocation(fullPath), Path.GetDirectoryName(fullPath)!, Directory.GetCurrentDirectory(),
            Path.GetFileName(fullPath), []);
        var settings = data is null && labels is null ? null : new AccuracyBudgetSettings(null, null, data, labels, null);
        try
        {
            var inputs = VerificationData.Load(plan, original, settings, new Dictionary<string, SampleSet>(), dims);
            return ModelRunner.Compare(OnnxModelWriter.ToBytes(original), original, OnnxModelWriter.ToBytes(optimized), optimized, inputs);
        }
        catch (VerificationException e)
        {
            throw new EngineException(EngineErrorCodes.VerificationFailed,
                $"'{optimizedPath}' could not be compared with '{originalPath}': {e.Message}.", new DiagnosticLocation(Path.GetFullPath(optimizedPath)), e);
        }
    }
}
