using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;

namespace Optimizer.Engine.Output;

/// <summary>
/// Replaces a plan's outputs in the one order that keeps them consistent if the engine is killed
/// at any instant: the new files first, the manifest (which names the others) after them, and only
/// then the stale kernel programs (and external data) of an earlier build are deleted. So the manifest on disk only ever
/// names files that exist, and the generator never embeds a program that is gone.
/// </summary>
internal static class PlanOutputs
{
    /// <param name="files">Everything but the manifest.</param>
    /// <param name="manifest">The manifest's bytes, written last.</param>
    /// <param name="afterEachStep">Called after each file is moved into place or deleted (tests check every instant).</param>
    /// <param name="writtenBefore">Outputs the caller already moved into place itself (a large model and its external data), kept.</param>
    /// <exception cref="EngineException"><see cref="EngineErrorCodes.WriteFailed"/>.</exception>
    public static void Replace(OptimizationPlan plan, IReadOnlyList<(string FileName, byte[] Bytes)> files, byte[] manifest, Action? afterEachStep = null,
        IEnumerable<string>? writtenBefore = null)
    {
        AtomicOutputWriter.WriteAll(plan.OutputDirectory, [.. files, (plan.ManifestFileName, manifest)], afterEachStep);
        var written = files.Select(f => f.FileName).Concat(writtenBefore ?? []).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in OutputNames.Optional.Select(program => program.FileName(plan.Name)).Where(f => !written.Contains(f)))
        {
            var path = Path.Combine(plan.OutputDirectory, stale);
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                    afterEachStep?.Invoke();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new EngineException(EngineErrorCodes.WriteFailed,
                    $"Could not delete the stale output '{path}' (the new manifest no longer names it): {e.Message} Delete it, or check that the folder is writable.",
                    new DiagnosticLocation(path), e);
            }
        }
    }
}
