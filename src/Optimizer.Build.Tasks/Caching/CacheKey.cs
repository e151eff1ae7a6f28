using System.Text;
using Optimizer.Build.Tasks.Discovery;
using Optimizer.Build.Tasks.Planning;

namespace Optimizer.Build.Tasks.Caching;

/// <summary>
/// The content hash that decides whether a model must be optimized again: model bytes, the plan's
/// meaning, referenced data files' bytes and the engine. Deliberately left out: where things were
/// declared (a source edit that moves an attribute must not re-run the engine) and absolute paths
/// (moving or re-cloning the project must not either) — neither changes the output.
/// </summary>
internal static class CacheKey
{
    public const string Version = "optimizer-cache-1";

    /// <exception cref="Optimizer.Onnx.Files.UntrustedFileException">The model or a data file changed into one the build may not read since planning.</exception>
    public static string Compute(OptimizationPlan plan, string engineIdentity) =>
        Sha256Hex.OfText(CanonicalText(plan, engineIdentity));

    /// <summary>The text that is hashed; exposed for tests and for debugging a surprising re-run.</summary>
    public static string CanonicalText(OptimizationPlan plan, string engineIdentity)
    {
        var text = new StringBuilder()
            .Append(Version).Append('\n')
            .Append("engine ").Append(engineIdentity).Append('\n')
            .Append("format ").Append(OptimizationPlan.FormatVersion).Append('\n')
            .Append("name ").Append(plan.Name).Append('\n')
            .Append("class ").Append(plan.ClassName).Append('\n')
            .Append("modelPath ").Append(plan.ModelPath).Append('\n')
            .Append("resource ").Append(plan.ResourceName).Append('\n')
            .Append("model ").Append(Sha256Hex.OfUntrustedFile(plan.ModelFullPath, DeclaredFile.MaxModelBytes)).Append('\n');

        foreach (var pass in plan.Passes)
        {
            var spec = AttributeCatalog.FindPass(pass.Pass);
            text.Append("pass ").Append(pass.Pass).Append('\n');
            foreach (var option in pass.Options)
            {
                text.Append("  ").Append(option.Key).Append('=').Append(option.Value).Append('\n');
                if (spec?.FindNamed(option.Key)?.IsDataFile == true)
                    AppendDataHashes(text, option.Key, ModelPaths.FullPath(option.Value, plan.ProjectDirectory));
            }
        }

        return text.ToString();
    }

    /// <summary>A data file's hash, or for a test-data folder each feed file's (by path relative to the folder).</summary>
    private static void AppendDataHashes(StringBuilder text, string option, string fullPath)
    {
        var files = DeclaredData.Files(fullPath);
        foreach (var file in files)
        {
            var name = file == fullPath ? "" : "[" + file.Substring(fullPath.Length).TrimStart('/', '\\').Replace('\\', '/') + "]";
            text.Append("  ").Append(option).Append(name).Append(".sha256=").Append(Sha256Hex.OfUntrustedFile(file, DeclaredFile.MaxDataBytes)).Append('\n');
        }
    }
}
