using Microsoft.Build.Framework;
using Optimizer.Engine.Output;

namespace Optimizer.Build.Tasks.Storage;

/// <summary>
/// Decides, per plan, whether the app embeds its model or loads it from files beside it, and marks
/// the plan's <c>@(OptimizerOutput)</c> items so the build targets embed or copy them: the model, its
/// external data and its kernel programs (<see cref="OutputNames.AppFiles"/>) get
/// <c>OptimizerStorage</c> (Embedded or Files) and, as files, <c>TargetPath</c> (the folder and file
/// name under the app's base directory); the manifest gets <c>OptimizerModelFile</c>, the model's
/// <c>TargetPath</c>, which the source generator writes into the class's metadata.
/// Decided from the files the engine left, so changing the storage never reruns the engine.
/// </summary>
internal static class StorageDecision
{
    public const string StorageMetadata = "OptimizerStorage";
    public const string ModelFileMetadata = "OptimizerModelFile";
    public const string TargetPathMetadata = "TargetPath";

    /// <summary>Files when asked, when the model has external data, or (Auto) when what the app loads passes <paramref name="embedLimitBytes"/>.</summary>
    public static bool StoresFiles(WeightsStorageMode mode, long appBytes, bool hasExternalData, long embedLimitBytes) =>
        mode == WeightsStorageMode.Files || hasExternalData || (mode == WeightsStorageMode.Auto && appBytes > embedLimitBytes);

    /// <summary>
    /// Sets the storage metadata on <paramref name="outputs"/> (one plan's items, as
    /// <c>EngineOutputs.Existing</c> returns them). Returns null, or why the model cannot be stored as
    /// asked (Embedded with external data).
    /// </summary>
    public static string? Apply(IReadOnlyList<ITaskItem> outputs, WeightsStorageMode mode, long embedLimitBytes, string folder)
    {
        var appFiles = outputs.Where(item => IsAppFile(item)).ToList();
        var external = appFiles.Where(item => Kind(item) == OutputKind.ModelData.ToString()).ToList();
        if (mode == WeightsStorageMode.Embedded && external.Count > 0)
            return $"its optimized model keeps its weights in ONNX external data ({string.Join(", ", external.Select(item => Path.GetFileName(item.ItemSpec)))}), which ONNX Runtime reads only from a file beside the model";

        var appBytes = appFiles.Sum(item => new FileInfo(item.ItemSpec).Length);
        var files = StoresFiles(mode, appBytes, external.Count > 0, embedLimitBytes);
        foreach (var item in appFiles)
        {
            item.SetMetadata(StorageMetadata, files ? nameof(WeightsStorageMode.Files) : nameof(WeightsStorageMode.Embedded));
            if (files)
                item.SetMetadata(TargetPathMetadata, TargetPath(folder, Path.GetFileName(item.ItemSpec)));
        }

        if (files && appFiles.FirstOrDefault(item => Kind(item) == OutputKind.OptimizedModel.ToString()) is { } model)
        {
            foreach (var manifest in outputs.Where(item => Kind(item) == OutputKind.Manifest.ToString()))
                manifest.SetMetadata(ModelFileMetadata, model.GetMetadata(TargetPathMetadata));
        }

        return null;
    }

    /// <summary>The path under the app's base directory, '/'-separated (the generated metadata's form; MSBuild accepts it).</summary>
    public static string TargetPath(string folder, string fileName) => folder.Length == 0 ? fileName : folder + "/" + fileName;

    private static bool IsAppFile(ITaskItem item) => OutputNames.AppFiles.Any(output => output.Kind.ToString() == Kind(item));

    private static string Kind(ITaskItem item) => item.GetMetadata("Kind");
}
