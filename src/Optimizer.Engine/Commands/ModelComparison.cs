using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Engine.Verification;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Commands;

/// <summary>
/// The accuracy comparison of two model files outside a build (the CLI's <c>verify</c> and
/// <c>report</c>): the same data rules and figures as <c>[AccuracyBudget]</c> — validation
/// samples (and labels) when given, else generated inputs — through the same Verification code.
/// </summary>
internal static class ModelComparison
{
    /// <param name="originalPath">The reference model.</param>
    /// <param name="optimizedPath">The model compared with it.</param>
    /// <param name="validation">Validation inputs (.npy or raw float32), relative to the current folder; null for generated inputs.</param>
    /// <param name="labels">Labels for <paramref name="validation"/> (.npy integers or raw uint8), or null.</param>
    /// <exception cref="EngineException">Data files missing or unreadable, or the models cannot be run and compared (OPT1062).</exception>
    public static FidelityResult Compare(string originalPath, string optimizedPath, string? validation, string? labels) =>
        Compare(OnnxModelLoader.Load(originalPath), originalPath, OnnxModelLoader.Load(optimizedPath), optimizedPath, validation, labels);

    /// <summary>The same, for models the caller has already loaded from these paths.</summary>
    public static FidelityResult Compare(OnnxModel original, string originalPath, OnnxModel optimized, string optimizedPath, string? validation, string? labels)
    {
        var fullPath = Path.GetFullPath(originalPath);
        var plan = new OptimizationPlan(OptimizationPlan.CurrentFormatVersion, Path.GetFileNameWithoutExtension(fullPath), "", fullPath,
            originalPath.Replace('\\', '/'), new DiagnosticLocation(fullPath), Path.GetDirectoryName(fullPath)!, Directory.GetCurrentDirectory(),
            Path.GetFileName(fullPath), []);
        var settings = validation is null && labels is null ? null
            : new AccuracyBudgetSettings(AccuracyBudgetSettings.DefaultMaxDrop, validation, labels, null);
        try
        {
            var data = VerificationData.Load(plan, original, settings, new Dictionary<string, SampleSet>());
            var before = ModelRunner.Run(OnnxModelWriter.ToBytes(original), original, data, ModelRunner.Original);
            var after = ModelRunner.Run(OnnxModelWriter.ToBytes(optimized), optimized, data, ModelRunner.Optimized);
            return FidelityResult.Compare(data, before, after);
        }
        catch (VerificationException e)
        {
            throw new EngineException(EngineErrorCodes.VerificationFailed,
                $"'{optimizedPath}' could not be compared with '{originalPath}': {e.Message}.", new DiagnosticLocation(Path.GetFullPath(optimizedPath)), e);
        }
    }
}
